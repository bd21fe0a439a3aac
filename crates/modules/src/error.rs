//! What can be wrong with the modules or their wiring, each as one line that says what to change.

use std::path::PathBuf;

/// What can be wrong with the modules or their selection.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("no modules folder at {}: run ngp from the NGP project, or pass --project-dir", path.display())]
    NoModulesDir { path: PathBuf },

    #[error("cannot read {}: {source}", path.display())]
    Read { path: PathBuf, source: std::io::Error },

    #[error("module {module:?} is missing {}: a module folder holds {module}.tf, {module}.dummy, {module}-variables.tf and {module}-output.tf", path.display())]
    MissingFile { module: String, path: PathBuf },

    #[error("{}: module name {name:?} is not valid: use lower-case letters, digits, '-' and '_', starting with a letter", path.display())]
    BadName { name: String, path: PathBuf },

    #[error("{}: {message}", path.display())]
    Parse { path: PathBuf, message: String },

    #[error("unknown module {name:?}{}; the modules are: {}", from.as_ref().map(|f| format!(" in {f}")).unwrap_or_default(), available.join(", "))]
    Unknown {
        name: String,
        from: Option<String>,
        available: Vec<String>,
    },

    #[error("input {input:?} of module {module:?} is an output of several enabled modules ({}): state which one in modules/{module}/{module}.tf with `locals {{ ngp_module = {{ inputs_from = {{ {input} = \"{}\" }} }} }}`", providers.join(", "), providers[0])]
    Conflict {
        module: String,
        input: String,
        providers: Vec<String>,
    },

    #[error("modules/{module}/{module}.tf says input {input:?} comes from module {source_module:?}, but {reason}")]
    BadSource {
        module: String,
        input: String,
        source_module: String,
        reason: String,
    },

    #[error("modules {first:?} and {second:?} both take input {name:?} from the user but with different types ({first_type} and {second_type}); rename one of them")]
    VariableType {
        name: String,
        first: String,
        first_type: String,
        second: String,
        second_type: String,
    },
}
