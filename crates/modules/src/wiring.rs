//! Wiring: each input of an enabled module takes the output of the same name (one module's, or all of them
//! gathered with "*"), or becomes one root variable that the settings fill.

use std::collections::BTreeMap;

use crate::catalog::GATHER_ALL;
use crate::{Catalog, Error, Input};

/// Where an enabled module's input gets its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputSource {
    /// The output of the same name of this module.
    Module(String),
    /// The root variable of the same name, set by the user's tfvars or `TF_VAR_*`.
    Variable,
    /// The outputs of that name of these modules, concatenated (`inputs_from = { x = "*" }`); none: `[]`.
    Gathered(Vec<String>),
}

/// An enabled module with each of its inputs' sources, in declaration order.
#[derive(Debug, Clone, PartialEq)]
pub struct WiredModule {
    pub name: String,
    pub inputs: Vec<(String, InputSource)>,
}

/// A root variable: one per input name that no enabled module outputs, shared by every module that takes it.
#[derive(Debug, Clone, PartialEq)]
pub struct RootVariable {
    /// The first declaration (by module name), whose type, description and default the root copies.
    pub input: Input,
    /// The modules that take it.
    pub used_by: Vec<String>,
}

/// The enabled modules, wired.
#[derive(Debug, Clone, PartialEq)]
pub struct Wiring {
    pub modules: Vec<WiredModule>,
    pub variables: BTreeMap<String, RootVariable>,
}

impl Wiring {
    pub fn is_variable(&self, name: &str) -> bool {
        self.variables.contains_key(name)
    }
}

/// Wires the `enabled` modules of `catalog`.
///
/// An input takes the output of the same name of another enabled module. When several enabled modules output
/// it, the consuming module must say which one in its `inputs_from`; otherwise that is an error. Every other
/// input becomes a root variable. Outputs that nobody consumes may share a name freely (every app module
/// exports `marathon_apps`, for instance).
pub fn wire(catalog: &Catalog, enabled: &[String], from: Option<&str>) -> Result<Wiring, Error> {
    let mut modules = Vec::new();
    let mut enabled_sorted: Vec<&str> = Vec::new();
    for name in enabled {
        catalog.get(name, from)?;
        if !enabled_sorted.contains(&name.as_str()) {
            enabled_sorted.push(name);
        }
    }
    enabled_sorted.sort_unstable();

    let mut providers: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for &name in &enabled_sorted {
        for output in &catalog.modules[name].outputs {
            providers.entry(output.name.as_str()).or_default().push(name);
        }
    }

    let mut variables: BTreeMap<String, RootVariable> = BTreeMap::new();
    for &name in &enabled_sorted {
        let module = &catalog.modules[name];
        let mut inputs = Vec::new();
        for input in &module.inputs {
            let candidates: Vec<&str> = providers
                .get(input.name.as_str())
                .map(|p| p.iter().copied().filter(|&m| m != name).collect())
                .unwrap_or_default();
            let source = source_of(catalog, module, input, &candidates, &enabled_sorted)?;
            if source == InputSource::Variable {
                add_variable(&mut variables, name, input)?;
            }
            inputs.push((input.name.clone(), source));
        }
        modules.push(WiredModule {
            name: name.to_owned(),
            inputs,
        });
    }
    Ok(Wiring { modules, variables })
}

/// Where one input of `module` comes from: what its `inputs_from` says (one module, or `*` for all), else the
/// one enabled module that outputs it, else a root variable. Several candidates without a choice is an error.
fn source_of(
    catalog: &Catalog,
    module: &crate::Module,
    input: &Input,
    candidates: &[&str],
    enabled: &[&str],
) -> Result<InputSource, Error> {
    let chosen = module.meta.inputs_from.get(&input.name);
    if chosen.is_some_and(|c| c == GATHER_ALL) {
        return Ok(InputSource::Gathered(
            candidates.iter().map(|m| (*m).to_owned()).collect(),
        ));
    }
    if let Some(chosen) = chosen {
        let bad = |reason: String| Error::BadSource {
            module: module.name.clone(),
            input: input.name.clone(),
            source_module: chosen.clone(),
            reason,
        };
        let Some(provider) = catalog.modules.get(chosen) else {
            return Err(bad("there is no such module".into()));
        };
        if provider.output(&input.name).is_none() {
            return Err(bad(format!("it has no output {:?}", input.name)));
        }
        if !enabled.contains(&chosen.as_str()) {
            return Err(bad(
                "it is not enabled; add it to modules or remove the line".to_string()
            ));
        }
        return Ok(InputSource::Module(chosen.clone()));
    }
    match candidates {
        [] => Ok(InputSource::Variable),
        [one] => Ok(InputSource::Module((*one).to_owned())),
        several => Err(Error::Conflict {
            module: module.name.clone(),
            input: input.name.clone(),
            providers: several.iter().map(|s| (*s).to_owned()).collect(),
        }),
    }
}

fn add_variable(variables: &mut BTreeMap<String, RootVariable>, module: &str, input: &Input) -> Result<(), Error> {
    match variables.get_mut(&input.name) {
        None => {
            variables.insert(
                input.name.clone(),
                RootVariable {
                    input: input.clone(),
                    used_by: vec![module.to_owned()],
                },
            );
        }
        Some(existing) => {
            let render = |t: &Option<hcl::Expression>| t.as_ref().map_or("any".to_owned(), |e| e.to_string());
            if render(&existing.input.type_expr) != render(&input.type_expr) {
                return Err(Error::VariableType {
                    name: input.name.clone(),
                    first: existing.used_by[0].clone(),
                    first_type: render(&existing.input.type_expr),
                    second: module.to_owned(),
                    second_type: render(&input.type_expr),
                });
            }
            existing.input.sensitive |= input.sensitive;
            existing.used_by.push(module.to_owned());
        }
    }
    Ok(())
}
