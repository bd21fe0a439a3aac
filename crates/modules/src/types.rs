//! Checks a value against a variable's Terraform type constraint (`string`, `list(string)`,
//! `object({a = number, b = optional(bool)})`, ...), with Terraform's own conversions (a number where a string
//! is wanted, `"true"` for a bool), so that a wrong value is caught before terraform runs and named where the
//! user wrote it, not in the generated files.

use hcl::expr::{Expression, ObjectKey};
use serde_json::Value;

/// Why `value` does not fit `constraint`, as "expected ..., found ..." with the path inside the value
/// (`[1]`, `.name`); `None` when it fits (or the constraint is not one this reads).
pub fn mismatch(constraint: &Expression, value: &Value) -> Option<String> {
    check(constraint, value, "")
}

fn check(constraint: &Expression, value: &Value, at: &str) -> Option<String> {
    if value.is_null() {
        return None;
    }
    let wrong = |expected: &str| Some(format!("{at}{}expected {expected}, found {}", sep(at), kind(value)));
    match constraint {
        Expression::Variable(name) => match (name.as_str(), value) {
            ("any", _) => None,
            ("string", Value::String(_) | Value::Number(_) | Value::Bool(_)) => None,
            ("number", Value::Number(_)) => None,
            ("number", Value::String(s)) if s.parse::<f64>().is_ok() => None,
            ("bool", Value::Bool(_)) => None,
            ("bool", Value::String(s)) if s == "true" || s == "false" => None,
            ("string", _) => wrong("a string"),
            ("number", _) => wrong("a number"),
            ("bool", _) => wrong("true or false"),
            _ => None,
        },
        Expression::FuncCall(call) => {
            let arg = call.args.first();
            match (call.name.name.as_str(), value, arg) {
                ("optional", _, Some(inner)) => check(inner, value, at),
                ("list" | "set", Value::Array(items), Some(inner)) => items
                    .iter()
                    .enumerate()
                    .find_map(|(i, item)| check(inner, item, &format!("{at}[{i}]"))),
                ("map", Value::Object(entries), Some(inner)) => {
                    entries.iter().find_map(|(k, v)| check(inner, v, &format!("{at}.{k}")))
                }
                ("object", Value::Object(entries), Some(Expression::Object(fields))) => {
                    fields.iter().find_map(|(key, field)| {
                        let name = key_name(key)?;
                        match entries.get(&name) {
                            Some(v) => check(field, v, &format!("{at}.{name}")),
                            None if is_optional(field) => None,
                            None => Some(format!("{at}{}{name} is missing", if at.is_empty() { "" } else { "." })),
                        }
                    })
                }
                ("tuple", Value::Array(items), Some(Expression::Array(types))) => {
                    if items.len() != types.len() {
                        return wrong(&format!("a list of {} items", types.len()));
                    }
                    types
                        .iter()
                        .zip(items)
                        .enumerate()
                        .find_map(|(i, (t, v))| check(t, v, &format!("{at}[{i}]")))
                }
                ("list" | "set" | "tuple", _, _) => wrong("a list"),
                ("map" | "object", _, _) => wrong("an object"),
                _ => None,
            }
        }
        _ => None,
    }
}

pub(crate) fn key_name(key: &ObjectKey) -> Option<String> {
    match key {
        ObjectKey::Identifier(id) => Some(id.to_string()),
        ObjectKey::Expression(Expression::String(s)) => Some(s.clone()),
        _ => None,
    }
}

fn is_optional(field: &Expression) -> bool {
    matches!(field, Expression::FuncCall(call) if call.name.name.as_str() == "optional")
}

fn sep(at: &str) -> &'static str {
    if at.is_empty() {
        ""
    } else {
        ": "
    }
}

/// The value as the user wrote it, in HCL (`"10.0.0.0/8"`, `["a", "b"]`), or what it is when that is long.
fn kind(value: &Value) -> String {
    use hcl::format::Format;
    let mut compact = hcl::format::Formatter::builder().compact(true).build_vec();
    let written = hcl::to_expression(value)
        .ok()
        .and_then(|e| e.format_string(&mut compact).ok())
        .unwrap_or_default();
    if !written.is_empty() && written.len() <= 40 && !written.contains('\n') {
        return written;
    }
    match value {
        Value::Array(items) => format!("a list of {}", items.len()),
        Value::Object(_) => "an object".into(),
        _ => written.chars().take(40).collect::<String>() + "...",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn constraint(text: &str) -> Expression {
        let body: hcl::Body = hcl::from_str(&format!("t = {text}\n")).unwrap();
        body.attributes().next().unwrap().expr().clone()
    }

    fn check_text(text: &str, value: Value) -> Option<String> {
        mismatch(&constraint(text), &value)
    }

    #[test]
    fn terraforms_conversions_pass() {
        assert_eq!(check_text("string", json!(42)), None);
        assert_eq!(check_text("number", json!("3")), None);
        assert_eq!(check_text("bool", json!("true")), None);
        assert_eq!(check_text("list(string)", json!(["a", 1])), None);
        assert_eq!(check_text("any", json!({"x": [1]})), None);
        assert_eq!(check_text("string", Value::Null), None);
        assert_eq!(
            check_text("object({a = number, b = optional(bool)})", json!({"a": 1, "c": 2})),
            None
        );
    }

    #[test]
    fn mismatches_say_where_and_what() {
        assert_eq!(
            check_text("list(string)", json!("10.0.0.0/8")).unwrap(),
            "expected a list, found \"10.0.0.0/8\""
        );
        assert_eq!(
            check_text("bool", json!("maybe")).unwrap(),
            "expected true or false, found \"maybe\""
        );
        assert_eq!(
            check_text("list(number)", json!([1, "x"])).unwrap(),
            "[1]: expected a number, found \"x\""
        );
        assert_eq!(
            check_text("map(string)", json!({"k": [1]})).unwrap(),
            ".k: expected a string, found [1]"
        );
        assert_eq!(check_text("object({a = number})", json!({})).unwrap(), "a is missing");
        assert_eq!(
            check_text("string", json!({"a": 1})).unwrap(),
            "expected a string, found { \"a\" = 1 }"
        );
        let long: Vec<u32> = (0..30).collect();
        assert_eq!(
            check_text("string", json!(long)).unwrap(),
            "expected a string, found a list of 30"
        );
    }
}
