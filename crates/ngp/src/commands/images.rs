//! `ngp images lock`: pins every image input (`*_image`, the contract) of an environment by digest, asking each
//! tag's registry, into `ngp.images.lock`. Pins of images the environment does not use (another environment's)
//! are kept. Nothing is written when any image cannot be resolved.

use std::collections::BTreeMap;

use anyhow::{Context, Result};
use ngp_images::{is_tagged, resolve, Lock, LOCK_FILE};

use crate::pipeline::workspace::images_of;
use crate::project::Project;

pub fn lock(project: &Project, env: &str, json: bool) -> Result<()> {
    let images = images_of(project, env)?;
    let path = project.dir.join(LOCK_FILE);
    let mut lock = Lock::read(&path)?;
    let tagged: BTreeMap<&str, Vec<&str>> =
        images
            .iter()
            .filter(|(_, image)| is_tagged(image))
            .fold(BTreeMap::new(), |mut by_image, (input, image)| {
                by_image
                    .entry(image.as_str())
                    .or_insert_with(Vec::new)
                    .push(input.as_str());
                by_image
            });
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let mut rows = Vec::new();
    for (image, inputs) in &tagged {
        let digest = runtime.block_on(resolve(image))?;
        let before = lock.pins.insert((*image).to_owned(), digest.clone());
        let change = match before {
            None => "pinned",
            Some(old) if old == digest => "unchanged",
            Some(_) => "updated",
        };
        rows.push((*image, digest, inputs.join(", "), change));
    }
    lock.write(&path)?;
    if json {
        let pins: Vec<_> = rows
            .iter()
            .map(|(image, digest, inputs, change)| {
                serde_json::json!({ "image": image, "digest": digest, "inputs": inputs, "change": change })
            })
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({ "lock": path, "pins": pins }))?
        );
        return Ok(());
    }
    let width = rows.iter().map(|r| r.0.len()).max().unwrap_or(5).max(5);
    println!("{:<width$}  {:<19}  {:<9}  INPUTS", "IMAGE", "DIGEST", "CHANGE");
    for (image, digest, inputs, change) in &rows {
        println!("{image:<width$}  {:<19}  {change:<9}  {inputs}", &digest[..19]);
    }
    let pinned = images.len() - tagged.values().map(Vec::len).sum::<usize>();
    println!(
        "{} image(s) pinned in {}; {pinned} input(s) already name a digest.",
        rows.len(),
        path.display()
    );
    Ok(())
}
