//! What a target profile tells the recorder (`proxy --profile`): where the state hook and the
//! CometD endpoint are, which channel carries notifications, where the goldens go, and which
//! actor each user is. Its secrets are never read: the proxy needs no credentials.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use url::Url;

use super::classify::Endpoints;
use crate::profile::Profile;
use crate::target::{DEFAULT_CHANNEL, DEFAULT_NOTIFICATIONS_PATH, DEFAULT_STATE_HOOK};

impl Default for Endpoints {
    /// GWS's and the reference server's (DESIGN.md §5).
    fn default() -> Self {
        Endpoints {
            state_hook: DEFAULT_STATE_HOOK.to_owned(),
            notifications: DEFAULT_NOTIFICATIONS_PATH.to_owned(),
            channel: DEFAULT_CHANNEL.to_owned(),
        }
    }
}

/// The recording settings a profile gives.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfileDefaults {
    /// The state hook, CometD endpoint and channel.
    pub endpoints: Endpoints,
    /// The profile's golden directory, resolved against the profile file's directory.
    pub golden: Option<PathBuf>,
    /// User → actor, from the profile's `actors:` entries that name a `user:` or `users:`.
    pub actor_names: BTreeMap<String, String>,
}

impl ProfileDefaults {
    /// What `profile` (read from `path`) says.
    pub fn from_profile(path: &Path, profile: &Profile) -> Self {
        let mut endpoints = Endpoints::default();
        if let Some(url) = profile.state_hook.as_ref().and_then(|h| h.url.as_ref()) {
            endpoints.state_hook = path_of(&url.value);
        }
        if let Some(notifications) = &profile.notifications {
            endpoints.notifications = path_of(&notifications.value);
        }
        if let Some(channel) = &profile.channel {
            endpoints.channel.clone_from(&channel.value);
        }
        let golden = profile
            .golden
            .as_ref()
            .map(|g| path.parent().unwrap_or_else(|| Path::new("")).join(g));
        let actor_names = profile
            .actors
            .iter()
            .flat_map(|(actor, spec)| {
                spec.value
                    .listed_users()
                    .map(move |user| (user.clone(), actor.clone()))
            })
            .collect();
        ProfileDefaults {
            endpoints,
            golden,
            actor_names,
        }
    }
}

/// The path of a path-or-URL setting: the proxy sees requests by path only.
fn path_of(path_or_url: &str) -> String {
    Url::parse(path_or_url).map_or_else(|_| path_or_url.to_owned(), |url| url.path().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::parse_profile;

    #[test]
    fn a_profile_gives_hook_endpoint_channel_golden_and_actor_names() {
        let path = Path::new("profiles/vendor.yaml");
        let text = "notifications: /genesys/cometd\nchannel: /v2/me/*\nstate_hook:\n  url: https://hooks.example/test/states\n\
                    golden: golden/vendor\nactors:\n  agent1: { user: alice, password_env: ALICE_PW }\n  agent2: {}\n";
        let loaded = parse_profile(path, text.to_owned()).expect("the profile parses");
        let defaults = ProfileDefaults::from_profile(path, &loaded.profile);
        assert_eq!(
            defaults,
            ProfileDefaults {
                endpoints: Endpoints {
                    state_hook: "/test/states".to_owned(),
                    notifications: "/genesys/cometd".to_owned(),
                    channel: "/v2/me/*".to_owned(),
                },
                golden: Some(PathBuf::from("profiles/golden/vendor")),
                actor_names: BTreeMap::from([("alice".to_owned(), "agent1".to_owned())]),
            }
        );
    }
}
