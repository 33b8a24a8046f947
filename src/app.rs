//! Orchestration of each command: load → run → report → exit code. Owns the tokio runtime.

use std::io::Write;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};

use crate::cli::{CheckConfig, Command, ServeConfig, TargetChoice, VerifyConfig};
use crate::error::{Error, Exit};
use crate::report;
use crate::runner::{RunError, RunEvent, RunOptions, ScenarioOutcome, Verdict, run_all};
use crate::scenario::{LoadedScenario, discover, load_all, scenario_schema_json};
use crate::server::{Fault, ReferenceServer, ServerConfig};
use crate::target::{Target, TargetSettings};

/// A writer shared between the run and its live reporter.
pub type SharedWriter = Arc<Mutex<dyn Write + Send>>;

/// Runs a validated command, writing its report to `out` and errors to `err`.
pub fn run(command: Command, out: &SharedWriter, err: &SharedWriter) -> Exit {
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            write_err(err, &format!("error: cannot start the async runtime: {e}"));
            return Exit::Infrastructure;
        }
    };
    let result = runtime.block_on(async {
        match command {
            Command::Verify(config) => verify(config, out).await,
            Command::Serve(config) => serve(config, out).await,
            Command::Check(config) => check(&config, out),
            Command::Schema => schema(out),
            Command::ListFaults => list_faults(out),
        }
    });
    match result {
        Ok(exit) => exit,
        Err(error) => {
            report_error(err, &error);
            error.exit_code()
        }
    }
}

fn write_err(err: &SharedWriter, text: &str) {
    let mut w = err.lock().unwrap_or_else(PoisonError::into_inner);
    let _ = writeln!(w, "{text}");
}

/// Renders a top-level error.
pub fn report_error(err: &SharedWriter, error: &Error) {
    let mut w = err.lock().unwrap_or_else(PoisonError::into_inner);
    let _ = match error {
        Error::Scenario(diagnostics) => report::render_diagnostics(&mut *w, diagnostics),
        Error::Profile(diagnostics) => report::render_diagnostics(&mut *w, diagnostics),
        other => writeln!(w, "error: {other}"),
    };
}

/// Loads every scenario named by `paths`, collecting every problem in every file, including
/// scenario names used by more than one file.
pub fn load_scenarios(paths: &[String]) -> Result<Vec<LoadedScenario>, Error> {
    let files = discover(paths).map_err(Error::Usage)?;
    load_all(&files).map_err(Error::Scenario)
}

/// `check`: loads and validates every scenario file; problems go to stderr (exit 2) via the
/// caller, success is one summary line on stdout.
fn check(config: &CheckConfig, out: &SharedWriter) -> Result<Exit, Error> {
    let scenarios = load_scenarios(&config.paths)?;
    let mut w = out.lock().unwrap_or_else(PoisonError::into_inner);
    let _ = report::render_check_ok(&mut *w, scenarios.len());
    Ok(Exit::Passed)
}

/// `schema`: the scenario format's JSON Schema on stdout.
fn schema(out: &SharedWriter) -> Result<Exit, Error> {
    let mut w = out.lock().unwrap_or_else(PoisonError::into_inner);
    w.write_all(scenario_schema_json().as_bytes())
        .and_then(|()| w.flush())
        .map_err(|e| Error::Infrastructure(format!("cannot write the schema: {e}")))?;
    Ok(Exit::Passed)
}

async fn verify(config: VerifyConfig, out: &SharedWriter) -> Result<Exit, Error> {
    let scenarios = load_scenarios(&config.paths)?;
    if let Some(path) = &config.report_json {
        // Fail before running anything rather than after a long run.
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(std::path::Path::new("."));
        if !dir.is_dir() {
            return Err(Error::Infrastructure(format!(
                "cannot write the JSON report to {}: directory {} does not exist",
                path.display(),
                dir.display()
            )));
        }
    }
    let settings = match &config.profile {
        Some(settings) => (**settings).clone(),
        None => TargetSettings::defaults(config.default_password.clone()),
    };
    let (server, base) = match &config.target {
        TargetChoice::Embedded => {
            let addr = SocketAddr::from(([127, 0, 0, 1], 0));
            let server = ReferenceServer::start(addr, embedded_server_config(&settings, &scenarios))
                .await
                .map_err(|e| Error::Infrastructure(format!("cannot start the reference server: {e}")))?;
            let url = url::Url::parse(&server.url())
                .map_err(|e| Error::Infrastructure(format!("reference server URL: {e}")))?;
            (Some(server), url)
        }
        TargetChoice::External(url) => {
            preflight(url, config.request_timeout).await?;
            (None, url.clone())
        }
    };
    let target = Arc::new(Target {
        request_timeout: config.request_timeout,
        max_body: config.max_body,
        ..settings.into_target(base)
    });
    let printer = Arc::new(Mutex::new(InOrderPrinter::new(Arc::clone(out), scenarios.len())));
    let on_event = Arc::new(move |event: &RunEvent| {
        if let RunEvent::ScenarioFinished { index, outcome } = event {
            printer
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .finished(*index, outcome);
        }
    });
    let outcome = run_all(scenarios, target, RunOptions::default(), config.jobs, on_event).await;
    if let Some(server) = server {
        server.shutdown().await;
    }
    {
        let mut w = out.lock().unwrap_or_else(PoisonError::into_inner);
        let _ = report::render_summary(&mut *w, &outcome.scenarios);
    }
    if let Some(path) = &config.report_json {
        let mut text = serde_json::to_string_pretty(&report::json_report(&outcome.scenarios))
            .map_err(|e| Error::Infrastructure(format!("cannot serialise the JSON report: {e}")))?;
        text.push('\n');
        write_atomically(path, &text).map_err(|e| {
            Error::Infrastructure(format!("cannot write the JSON report to {}: {e}", path.display()))
        })?;
    }
    Ok(run_exit(&outcome.scenarios))
}

/// The exit code of a run: a broken target (3) outranks a scenario the target refused as
/// written (2), which outranks failed expectations (1).
fn run_exit(outcomes: &[ScenarioOutcome]) -> Exit {
    let errors: Vec<&RunError> = outcomes.iter().filter_map(|o| o.error.as_ref()).collect();
    if errors.iter().any(|e| matches!(e, RunError::Target { .. })) {
        Exit::Infrastructure
    } else if !errors.is_empty() {
        Exit::Usage
    } else if outcomes.iter().any(|o| o.verdict == Verdict::Failed) {
        Exit::Failed
    } else {
        Exit::Passed
    }
}

/// The embedded reference server for a run: it accepts exactly the logins the run will use
/// (its default users and every scenario's actors, as the profile or `GWS_CONTRACT_PASSWORD`
/// maps them) and requires CSRF tokens when the target settings send them, so `verify` without
/// `--target` works whatever passwords, renamed users or CSRF setting the run was given.
fn embedded_server_config(settings: &TargetSettings, scenarios: &[LoadedScenario]) -> ServerConfig {
    let defaults = ServerConfig::default();
    let default_users = defaults.users.iter().map(|(name, _)| name.as_str());
    let actors = scenarios
        .iter()
        .flat_map(|s| s.scenario.actors.iter().map(|a| a.value.as_str()));
    let users = settings
        .logins_for(default_users.chain(actors))
        .into_iter()
        .map(|login| (login.user, login.password.expose().to_owned()))
        .collect();
    ServerConfig {
        users,
        csrf: settings.csrf,
        ..defaults
    }
}

/// Prints finished scenarios as soon as every earlier one has been printed, so the report is in
/// input order (stable between runs) however the parallel jobs finish.
struct InOrderPrinter {
    out: SharedWriter,
    pending: Vec<Option<Box<ScenarioOutcome>>>,
    next: usize,
}

impl InOrderPrinter {
    fn new(out: SharedWriter, count: usize) -> Self {
        InOrderPrinter {
            out,
            pending: vec![None; count],
            next: 0,
        }
    }

    fn finished(&mut self, index: usize, outcome: &ScenarioOutcome) {
        if let Some(slot) = self.pending.get_mut(index) {
            *slot = Some(Box::new(outcome.clone()));
        }
        let mut w = self.out.lock().unwrap_or_else(PoisonError::into_inner);
        while let Some(Some(outcome)) = self.pending.get_mut(self.next).map(Option::take) {
            let _ = report::render_scenario_line(&mut *w, &outcome);
            let _ = if outcome.verdict == Verdict::Passed {
                report::render_notes(&mut *w, &outcome)
            } else {
                report::render_failure_details(&mut *w, &outcome)
            };
            let _ = w.flush();
            self.next += 1;
        }
    }
}

/// Writes `text` to `path` through a temporary file in the same directory and a rename, so a
/// reader never sees a half-written file and a failed write leaves the old file intact.
fn write_atomically(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map_or_else(|| "report".into(), |n| n.to_string_lossy().into_owned());
    let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = std::fs::write(&temp, text).and_then(|()| std::fs::rename(&temp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}

/// Fails fast, with one line, when the target cannot be reached at all (within the request
/// timeout, like every other request).
async fn preflight(url: &url::Url, timeout: std::time::Duration) -> Result<(), Error> {
    let client = reqwest::Client::builder()
        .timeout(timeout)
        .build()
        .map_err(|e| Error::Infrastructure(format!("cannot build HTTP client: {e}")))?;
    match client.get(url.clone()).send().await {
        Ok(_) => Ok(()),
        Err(e) => {
            let mut cause = e.to_string();
            let mut source = std::error::Error::source(&e);
            while let Some(s) = source {
                cause = s.to_string();
                source = s.source();
            }
            Err(Error::Infrastructure(format!(
                "cannot reach target {url}: {cause}"
            )))
        }
    }
}

async fn serve(config: ServeConfig, out: &SharedWriter) -> Result<Exit, Error> {
    let users: Vec<String> = config.server.users.iter().map(|(name, _)| name.clone()).collect();
    let csrf = config.server.csrf;
    let server = ReferenceServer::start(config.addr, config.server)
        .await
        .map_err(|e| Error::Infrastructure(format!("cannot listen on {}: {e}", config.addr)))?;
    {
        let mut w = out.lock().unwrap_or_else(PoisonError::into_inner);
        let _ = report::render_serve_banner(&mut *w, &server.url(), &users, csrf);
        let _ = w.flush();
    }
    wait_for_stop_signal().await;
    server.shutdown().await;
    Ok(Exit::Passed)
}

fn list_faults(out: &SharedWriter) -> Result<Exit, Error> {
    let faults: Vec<(&str, &str)> = Fault::ALL.iter().map(|f| (f.name(), f.description())).collect();
    let mut w = out.lock().unwrap_or_else(PoisonError::into_inner);
    report::render_fault_list(&mut *w, &faults)
        .map_err(|e| Error::Infrastructure(format!("cannot write the fault list: {e}")))?;
    Ok(Exit::Passed)
}

async fn wait_for_stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
