//! Shared by the proxy and replay tests: two agent desktops (official CometD JS clients,
//! driven over stdin) going through a RemoveParticipantFromConference and a Complete, and
//! what each agent received.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{Value, json};

use crate::node::{NodePeer, spawn_node};
use crate::server_wire::{hook, hook_raw};

/// Longer than any wait the peers need; only a hang reaches it.
const LIMIT: Duration = Duration::from_secs(30);

/// The state the recording starts from.
pub const STATE: &str = "facebook session chatting";

/// Its parameters, as a desktop test harness would send them (users, no `actors` map).
pub fn params() -> Value {
    json!({"agents": ["agent1", "agent2"], "mode": "consult"})
}

/// The agents' desktops.
pub struct Agents {
    peer: NodePeer,
    /// Per user, every notification received, in order.
    pub notifications: BTreeMap<String, Vec<Value>>,
    /// Session cookies and CSRF tokens the desktops were handed.
    pub secrets: Vec<String>,
}

impl Agents {
    /// Logs every user in, subscribes them, and waits until all are ready.
    pub fn start(base: &str, users: &str) -> impl std::future::Future<Output = Self> {
        let peer = spawn_node("js-client-agents.mjs", &[("BASE", base), ("USERS", users)]);
        async move {
            let mut agents = Agents {
                peer,
                notifications: BTreeMap::new(),
                secrets: Vec::new(),
            };
            loop {
                let event = agents.next().await;
                if event["event"] == "ready" {
                    return agents;
                }
            }
        }
    }

    async fn next(&mut self) -> Value {
        let event = self.peer.next_event(LIMIT).await;
        match event["event"].as_str() {
            Some("notification") => {
                let user = event["user"].as_str().unwrap_or_default().to_owned();
                self.notifications
                    .entry(user)
                    .or_default()
                    .push(event["data"].clone());
            }
            Some("login") => {
                for key in ["cookie", "csrf"] {
                    if let Some(secret) = event[key].as_str().filter(|s| !s.is_empty()) {
                        // The value without the cookie's name.
                        let value = secret.split_once('=').map_or(secret, |(_, v)| v);
                        self.secrets.push(value.to_owned());
                    }
                }
            }
            _ => {}
        }
        event
    }

    /// `user` POSTs `body` to `path`; returns the response event.
    pub async fn post(&mut self, user: &str, path: &str, body: Value) -> Value {
        self.peer
            .send(&json!({"op": "post", "user": user, "path": path, "body": body}))
            .await;
        loop {
            let event = self.next().await;
            if event["event"] == "response" {
                return event;
            }
        }
    }

    /// Waits until each user has received at least so many notifications in all.
    pub async fn wait_for(&mut self, counts: &[(&str, usize)]) {
        while !counts
            .iter()
            .all(|(user, n)| self.notifications.get(*user).map_or(0, Vec::len) >= *n)
        {
            self.next().await;
        }
    }

    /// Disconnects every desktop.
    pub async fn quit(mut self) -> Self {
        self.peer.send(&json!({"op": "quit"})).await;
        loop {
            if self.next().await["event"] == "bye" {
                return self;
            }
        }
    }
}

/// What one run of the two desktops saw.
pub struct AgentsRun {
    /// The state hook's setup reply.
    pub setup: Value,
    /// The desktops, disconnected.
    pub agents: Agents,
}

/// Through `base`: the state hook sets up a consultation of agent1 and agent2; both desktops
/// log in; agent1 removes agent2 (3 notifications for agent1, 4 for agent2), then completes
/// the session (1 more for agent1); the desktops disconnect and the state is torn down.
pub async fn remove_then_complete(base: &str, users: &str) -> AgentsRun {
    let setup = hook(base, STATE, params()).await;
    let session = setup["id"].as_str().expect("session id").to_owned();
    let target = setup["agents"]["agent2"]["uri"].clone();
    let mut agents = Agents::start(base, users).await;
    let path = format!("/api/v2/me/facebooksessions/{session}");
    let removed = agents
        .post(
            "agent1",
            &path,
            json!({"operationName": "RemoveParticipantFromConference", "targetUri": target}),
        )
        .await;
    assert_eq!(removed["status"], 200, "{removed}");
    agents.wait_for(&[("agent1", 3), ("agent2", 4)]).await;
    let completed = agents
        .post(
            "agent1",
            &path,
            json!({"operationName": "Complete", "queueName": "PostProcessingQueue"}),
        )
        .await;
    assert_eq!(completed["status"], 200, "{completed}");
    agents.wait_for(&[("agent1", 4)]).await;
    let agents = agents.quit().await;
    let (status, _) = hook_raw(
        base,
        &json!({"state": STATE, "params": params(), "action": "teardown", "setup": setup}),
    )
    .await;
    assert_eq!(status, 200);
    AgentsRun { setup, agents }
}

/// A notification stream with what varies from run to run (ids, hosts, times, counters)
/// replaced, by the shipped rules and the setup's values: equal streams are "the same up to
/// ids and timestamps".
pub fn normalised(run: &AgentsRun) -> Value {
    let rules = gws_contract::golden::GoldenStore::new(crate::support::root().join("golden"))
        .load_rules()
        .expect("the shipped rules load");
    let mut vars = gws_contract::matching::Vars::new();
    vars.insert("session".to_owned(), run.setup["id"].clone());
    vars.insert(
        "customer".to_owned(),
        run.setup["customer"]["participantId"].clone(),
    );
    // The setup reply names both agents' user ids, so ids only notifications mention (the
    // removed agent's, in the Notice text) are recognised too.
    let document = json!({
        "given": [{"reply": {"body": run.setup}}],
        "steps": [{"notifications": run.agents.notifications}],
    });
    gws_contract::golden::symbolize(&document, &vars, &rules)
}

/// A recording of [`remove_then_complete`] through `proxy` in front of a reference server
/// with CSRF on and passwords of its own, written once per test process and shared.
pub struct Recorded {
    /// The directory holding `scenarios/agents.yaml` and `golden/` (rules and golden).
    pub dir: std::path::PathBuf,
    /// The scenario written.
    pub scenario: std::path::PathBuf,
    /// The golden directory.
    pub golden: std::path::PathBuf,
    /// What was written, as reported.
    pub written: gws_contract::proxy::Written,
    /// Every credential the traffic carried: passwords, Basic credentials, cookies, tokens.
    pub secrets: Vec<String>,
    /// What the desktops received through the proxy, normalised.
    pub normalised: Value,
}

/// The users and passwords of the recorded server.
pub const RECORDED_USERS: [(&str, &str); 2] =
    [("agent1", "s3cret-Agent-One"), ("agent2", "s3cret-Agent-Two")];

/// The shared recording (made by the first test that asks).
pub async fn recorded() -> &'static Recorded {
    static RECORDED: tokio::sync::OnceCell<Recorded> = tokio::sync::OnceCell::const_new();
    RECORDED.get_or_init(record).await
}

async fn record() -> Recorded {
    use base64::Engine;
    use gws_contract::proxy::{Endpoints, Proxy, RecordSettings, assemble, load_rules, write_recording};
    use gws_contract::server::ServerConfig;

    // One directory per test process (cargo-nextest runs each test in its own); those of
    // processes that have ended are removed.
    let tmp = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let proc = std::path::Path::new("/proc");
    for entry in std::fs::read_dir(&tmp).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Some(pid) = name.strip_prefix("proxy-recording-")
            && proc.join("self").exists()
            && !proc.join(pid).exists()
        {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
    let dir = tmp.join(format!("proxy-recording-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let golden = dir.join("golden");
    std::fs::create_dir_all(&golden).expect("create the golden dir");
    std::fs::copy(
        crate::support::root().join("golden/rules.yaml"),
        golden.join("rules.yaml"),
    )
    .expect("copy the shipped rules");
    let server = crate::support::start_server(ServerConfig {
        users: RECORDED_USERS
            .iter()
            .map(|(u, p)| ((*u).to_owned(), (*p).to_owned()))
            .collect(),
        csrf: true,
        ..ServerConfig::default()
    })
    .await;
    let target = url::Url::parse(&server.url()).expect("server URL");
    let proxy = Proxy::start(std::net::SocketAddr::from(([127, 0, 0, 1], 0)), target)
        .await
        .expect("the proxy starts");
    let users: Vec<String> = RECORDED_USERS.iter().map(|(u, p)| format!("{u}:{p}")).collect();
    let run = remove_then_complete(&proxy.url(), &users.join(",")).await;
    let traffic = proxy.stop();
    let settings = RecordSettings {
        name: "agents".to_owned(),
        endpoints: Endpoints::default(),
        keep_users: false,
        actor_names: BTreeMap::new(),
    };
    let recording = assemble(&traffic, &settings);
    let scenario = dir.join("scenarios").join("agents.yaml");
    let rules = load_rules(&golden).expect("rules load");
    let written = write_recording(&recording, &scenario, &golden, &rules).expect("the recording is written");
    server.shutdown().await;
    let mut secrets = run.agents.secrets.clone();
    for (user, password) in RECORDED_USERS {
        secrets.push(password.to_owned());
        secrets.push(base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}")));
    }
    Recorded {
        normalised: normalised(&run),
        dir,
        scenario,
        golden,
        written,
        secrets,
    }
}

/// A `gws-contract` process that keeps running (`serve`, `proxy`) until it is terminated.
pub struct Running {
    child: tokio::process::Child,
    stdout: tokio::io::Lines<tokio::io::BufReader<tokio::process::ChildStdout>>,
}

/// Starts `gws-contract args` in the repository root and returns it with the first line it
/// printed (its banner, which names the address it listens on).
pub async fn spawn_cli(args: &[&str]) -> (Running, String) {
    use tokio::io::AsyncBufReadExt;

    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_gws-contract"))
        .args(args)
        .current_dir(crate::support::root())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("the gws-contract binary runs");
    let stdout = child.stdout.take().expect("piped stdout");
    let mut stdout = tokio::io::BufReader::new(stdout).lines();
    let banner = tokio::time::timeout(LIMIT, stdout.next_line())
        .await
        .expect("a banner in time")
        .expect("stdout is readable")
        .unwrap_or_else(|| panic!("gws-contract {args:?} printed no banner"));
    (Running { child, stdout }, banner)
}

/// The `http://IP:PORT` a banner names after "listening on ".
pub fn listening_url(banner: &str) -> String {
    let rest = banner
        .split("listening on ")
        .nth(1)
        .unwrap_or_else(|| panic!("no address in {banner:?}"));
    rest.split([',', ' ']).next().unwrap_or_default().to_owned()
}

impl Running {
    /// Waits for the process to end by itself; returns its exit code and the rest of its
    /// stdout and its stderr.
    pub async fn wait(mut self) -> (Option<i32>, String, String) {
        use tokio::io::AsyncReadExt;

        let mut rest = String::new();
        while let Ok(Some(line)) = tokio::time::timeout(LIMIT, self.stdout.next_line())
            .await
            .expect("the process ends in time")
        {
            rest.push_str(&line);
            rest.push('\n');
        }
        let status = tokio::time::timeout(LIMIT, self.child.wait())
            .await
            .expect("the process exits in time")
            .expect("exit status");
        let mut stderr = String::new();
        if let Some(mut err) = self.child.stderr.take() {
            let _ = err.read_to_string(&mut stderr).await;
        }
        (status.code(), rest, stderr)
    }

    /// Sends SIGTERM (as a service manager or Ctrl-C would stop it) and waits for the exit.
    pub async fn terminate(self) -> (Option<i32>, String, String) {
        let pid = self.child.id().expect("the process is running");
        let status = tokio::process::Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status()
            .await
            .expect("kill runs");
        assert!(status.success(), "SIGTERM delivered");
        self.wait().await
    }
}

/// A recording written the way `proxy` writes it: the scenario below a temporary directory, its
/// golden beside it with the shipped rules, and the scenario loaded back.
pub struct WrittenRecording {
    /// Holds the files; they go with it.
    pub _dir: tempfile::TempDir,
    /// What `assemble` made of the traffic.
    pub recording: gws_contract::proxy::Recording,
    /// The scenario file.
    pub scenario: std::path::PathBuf,
    /// The golden directory.
    pub golden: std::path::PathBuf,
    /// The scenario, loaded back.
    pub loaded: gws_contract::scenario::LoadedScenario,
}

/// Assembles `traffic` as scenario `name` and writes it with its golden (see [`WrittenRecording`]).
pub fn write_recorded(traffic: &gws_contract::proxy::Traffic, name: &str) -> WrittenRecording {
    use gws_contract::proxy::{Endpoints, RecordSettings, assemble, load_rules, write_recording};
    let dir = tempfile::tempdir().expect("temp dir");
    let golden = dir.path().join("golden");
    std::fs::create_dir(&golden).expect("golden dir");
    std::fs::copy(
        crate::support::root().join("golden/rules.yaml"),
        golden.join("rules.yaml"),
    )
    .expect("copy rules");
    let settings = RecordSettings {
        name: name.to_owned(),
        endpoints: Endpoints::default(),
        keep_users: false,
        actor_names: BTreeMap::new(),
    };
    let recording = assemble(traffic, &settings);
    let scenario = dir.path().join(format!("scenarios/{name}.yaml"));
    let rules = load_rules(&golden).expect("rules");
    write_recording(&recording, &scenario, &golden, &rules).expect("written");
    let loaded = gws_contract::scenario::load_file(&scenario)
        .unwrap_or_else(|d| panic!("the recording loads: {d:#?}"));
    WrittenRecording {
        _dir: dir,
        recording,
        scenario,
        golden,
        loaded,
    }
}
