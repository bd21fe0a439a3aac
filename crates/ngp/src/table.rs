//! Aligned, borderless tables for people (as kubectl prints them), and the same rows as JSON for machines.

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
