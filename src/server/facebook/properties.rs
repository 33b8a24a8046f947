//! AddComment, SetDisposition and the userData operations: they change the interaction's
//! properties, and every agent still working on it (Chatting or LeftChat) gets a
//! PropertiesUpdated of its own view, carrying the referenceId (AddComment, SetDisposition,
//! AttachUserData, UpdateUserData and DeleteUserData pages).

use serde_json::Value;

use super::notify::{PROPERTIES_UPDATED, state_change};
use super::ops::{Ctx, Reply};
use super::params::{Fail, optional_str, required_str, required_strings, required_user_data};
use super::session::{Order, SeatState};
use crate::server::faults::Fault;

/// AddComment: `comment` replaces the interaction's comment.
pub(crate) fn add_comment(ctx: &mut Ctx<'_>) -> Result<Reply, Fail> {
    let comment = required_str(ctx.body, "comment")?.to_owned();
    ctx.session.comment = Some(comment);
    announce(ctx);
    Ok(Reply::Plain)
}

/// SetDisposition: "processed by updating the key in the UserData"; the key is
/// `dispositionKey`, or the server's configured key when absent.
pub(crate) fn set_disposition(ctx: &mut Ctx<'_>) -> Result<Reply, Fail> {
    let disposition = required_str(ctx.body, "disposition")?.to_owned();
    let key = match optional_str(ctx.body, "dispositionKey")? {
        Some("") => return Err(Fail::invalid("Parameter 'dispositionKey' must not be empty")),
        Some(key) => key.to_owned(),
        None => ctx.config.disposition_key.clone(),
    };
    ctx.session.user_data.insert(key, Value::String(disposition));
    announce(ctx);
    Ok(Reply::Plain)
}

/// AttachUserData (`update` false) and UpdateUserData (true). A JSON object cannot hold a key
/// twice, so both set the given keys (the Voice API's duplicate keys on Attach have no JSON
/// form).
pub(crate) fn put_user_data(ctx: &mut Ctx<'_>, update: bool) -> Result<Reply, Fail> {
    let data = required_user_data(ctx.body, "userData")?.clone();
    if update && ctx.config.faults.contains(&Fault::UserDataNotUpdated) {
        for (key, value) in data {
            ctx.session.user_data.entry(key).or_insert(value);
        }
    } else {
        ctx.session.user_data.extend(data);
    }
    announce(ctx);
    Ok(Reply::Plain)
}

/// DeleteUserData: removes `keys`; keys that are not there are ignored.
pub(crate) fn delete_user_data(ctx: &mut Ctx<'_>) -> Result<Reply, Fail> {
    let keys: Vec<String> = required_strings(ctx.body, "keys")?
        .into_iter()
        .map(str::to_owned)
        .collect();
    if !ctx.config.faults.contains(&Fault::DeleteUserDataIgnored) {
        for key in keys {
            ctx.session.user_data.remove(&key);
        }
    }
    announce(ctx);
    Ok(Reply::Plain)
}

fn announce(ctx: &mut Ctx<'_>) {
    for user in ctx.session.users_in(&[SeatState::Chatting, SeatState::LeftChat]) {
        let view = ctx.view(&user, Order::AgentsFirst);
        ctx.send(&user, state_change(PROPERTIES_UPDATED, Some(ctx.reference), view));
    }
}
