//! The terminal: aligned, borderless tables for people (as kubectl prints them), confirmations, colour.

use std::io::{IsTerminal, Write};

use anyhow::{bail, Result};
use comfy_table::{presets, CellAlignment, ContentArrangement, Table};

/// Prints `rows` under `header`, columns aligned; columns named in `right` are right-aligned (numbers).
pub fn print(header: &[&str], right: &[&str], rows: Vec<Vec<String>>) {
    let mut table = Table::new();
    table
        .load_preset(presets::NOTHING)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(header.iter().map(|h| h.to_uppercase()));
    for row in rows {
        table.add_row(row);
    }
    for (i, name) in header.iter().enumerate() {
        if let Some(column) = table.column_mut(i) {
            column.set_padding((0, 2));
            if right.contains(name) {
                column.set_cell_alignment(CellAlignment::Right);
            }
        }
    }
    for line in table.lines() {
        println!("{}", line.trim_end());
    }
}

/// Whether to colour (off with NO_COLOR or without a terminal).
pub fn color() -> bool {
    console::colors_enabled()
}

/// Asks on the terminal; refuses when there is none to ask.
pub fn confirm(question: &str, expected: &str) -> Result<bool> {
    if !std::io::stdin().is_terminal() {
        bail!("not a terminal, so nobody can confirm: pass --auto-approve to go ahead without asking");
    }
    print!("{question} ");
    std::io::stdout().flush().ok();
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer)?;
    Ok(answer.trim() == expected)
}
