//! The probe image: one gzip-compressed layer holding a file of random bytes, and an OCI config naming it.

use std::io::Write;

use flate2::{write::GzEncoder, Compression};
use oci_client::client::{Config, ImageLayer};
use oci_client::manifest::{OciImageManifest, IMAGE_LAYER_GZIP_MEDIA_TYPE};
use sha2::{Digest, Sha256};

/// `sha256:<hex>` of `bytes`, as registries name blobs.
pub fn digest(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

/// A tiny image, new random content every time, so that each check pushes blobs the registry has not seen.
pub struct TinyImage {
    pub layer: ImageLayer,
    pub config: Config,
    pub manifest: OciImageManifest,
}

impl TinyImage {
    pub fn new() -> std::io::Result<Self> {
        let random: Vec<u8> = (0..4096).map(|_| fastrand::u8(..)).collect();
        let mut tar = tar::Builder::new(Vec::new());
        let mut header = tar::Header::new_gnu();
        header.set_size(random.len() as u64);
        header.set_mode(0o644);
        tar.append_data(&mut header, "ngp-registry-check", random.as_slice())?;
        let tar = tar.into_inner()?;
        let mut gz = GzEncoder::new(Vec::new(), Compression::default());
        gz.write_all(&tar)?;
        let layer_bytes = gz.finish()?;

        let config = serde_json::json!({
            "architecture": "amd64",
            "os": "linux",
            "rootfs": { "type": "layers", "diff_ids": [digest(&tar)] },
            "config": {},
        });
        let layer = ImageLayer::new(layer_bytes, IMAGE_LAYER_GZIP_MEDIA_TYPE.to_owned(), None);
        let config = Config::oci_v1(serde_json::to_vec(&config)?, None);
        let manifest = OciImageManifest::build(std::slice::from_ref(&layer), &config, None);
        Ok(TinyImage {
            layer,
            config,
            manifest,
        })
    }

    /// The digests of the layer and the config: the blobs the registry must store.
    pub fn blob_digests(&self) -> [String; 2] {
        [digest(&self.layer.data), digest(&self.config.data)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_manifest_names_the_layer_and_config_it_came_with_and_each_image_is_new() {
        let image = TinyImage::new().unwrap();
        let [layer, config] = image.blob_digests();
        assert_eq!(image.manifest.layers[0].digest, layer);
        assert_eq!(image.manifest.config.digest, config);
        assert_eq!(image.manifest.layers[0].size, image.layer.data.len() as i64);
        assert_ne!(
            TinyImage::new().unwrap().blob_digests()[0],
            layer,
            "a fresh layer every time"
        );
        // The config names the uncompressed layer, as OCI's rootfs.diff_ids require.
        let config: serde_json::Value = serde_json::from_slice(&image.config.data).unwrap();
        let mut tar = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(image.layer.data.as_slice()), &mut tar).unwrap();
        assert_eq!(config["rootfs"]["diff_ids"][0], digest(&tar));
    }
}
