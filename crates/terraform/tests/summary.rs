//! The plan summary, on the JSON a real `terraform show -json` printed for a plan against the emulator that
//! updates tags, moves the management subnet (replacing it and the manager node) and swaps an admin CIDR.

use ngp_terraform::{Counts, PlanSummary};

const MIXED: &str = include_str!("fixtures/manager-mixed.plan.json");

#[test]
fn counts_each_kind_of_change_per_module() {
    let summary = PlanSummary::from_show_json(MIXED).unwrap();
    assert_eq!(summary.modules.keys().collect::<Vec<_>>(), vec!["manager"]);
    assert_eq!(
        summary.modules["manager"],
        Counts {
            create: 1,
            update: 17,
            replace: 3,
            destroy: 1
        }
    );
    // Terraform's own line for this plan was "4 to add, 17 to change, 4 to destroy".
    let t = summary.totals();
    assert_eq!((t.create + t.replace, t.update, t.destroy + t.replace), (4, 17, 4));
    assert_eq!(t.operations(), 25);
}

#[test]
fn lists_replacements_and_destroys_by_address() {
    let summary = PlanSummary::from_show_json(MIXED).unwrap();
    assert_eq!(
        summary.replaced,
        vec![
            "module.manager.aws_instance.manager[0]",
            "module.manager.aws_route_table_association.management",
            "module.manager.aws_subnet.management",
        ]
    );
    assert_eq!(
        summary.destroyed,
        vec!["module.manager.aws_vpc_security_group_ingress_rule.management_ssh[\"192.0.2.0/24\"]"]
    );
}

#[test]
fn renders_a_table_and_highlights_only_with_color() {
    let summary = PlanSummary::from_show_json(MIXED).unwrap();
    let plain = summary.render(false);
    assert!(
        plain.starts_with("module   create  update  replace  destroy\nmanager       1      17        3        1\n"),
        "{plain}"
    );
    assert!(
        plain.contains("Replaced (destroyed, then created again):\n  -/+ module.manager.aws_instance.manager[0]\n"),
        "{plain}"
    );
    assert!(
        plain.contains("Destroyed:\n  - module.manager.aws_vpc_security_group_ingress_rule"),
        "{plain}"
    );
    assert!(!plain.contains('\u{1b}'));

    console::set_colors_enabled(true);
    let colored = summary.render(true);
    assert!(
        colored.contains("\u{1b}[31m") || colored.contains("\u{1b}[1m\u{1b}[31m") || colored.contains("\u{1b}[31;1m"),
        "{colored:?}"
    );
}

#[test]
fn an_empty_plan_says_no_changes() {
    let summary = PlanSummary::from_show_json(r#"{"format_version":"1.2","resource_changes":[{"address":"module.m.aws_vpc.this","module_address":"module.m","mode":"managed","change":{"actions":["no-op"]}}]}"#).unwrap();
    assert!(!summary.has_changes());
    assert!(summary.render(false).starts_with("No changes"));
}
