//! Finding tokens in a scenario's source text, for problems whose value carries no span of its
//! own: JSON values (`serde_json::Value` has no positions), keys of maps deserialized into plain
//! maps, and the first occurrence of a duplicated key.
//!
//! Every helper is a best-effort search that starts at a known, spanned position and returns
//! `None` rather than guessing, so a diagnostic falls back to that known position.

/// A 1-based (line, column) position; columns count characters, as serde-saphyr's do.
pub type LineCol = (u64, u64);

/// The text of 1-based `line`, if it exists.
pub fn line_text(text: &str, line: u64) -> Option<&str> {
    let index = usize::try_from(line.checked_sub(1)?).ok()?;
    text.lines().nth(index)
}

/// The first occurrence of `needle` at or after `from`, searching line by line.
pub fn find_after(text: &str, from: LineCol, needle: &str) -> Option<LineCol> {
    if needle.is_empty() {
        return None;
    }
    let (start_line, start_column) = from;
    for (index, line) in text.lines().enumerate().skip(to_index(start_line)) {
        let number = index as u64 + 1;
        let skip = if number == start_line {
            to_index(start_column)
        } else {
            0
        };
        let byte_start = line.char_indices().nth(skip).map_or(line.len(), |(b, _)| b);
        if let Some(found) = line[byte_start..].find(needle) {
            return Some((number, char_column(line, byte_start + found)));
        }
    }
    None
}

/// The first occurrence at or after `from` of `word` as a whole token (not part of a longer
/// name), e.g. an actor name used as a map key.
pub fn find_word_after(text: &str, from: LineCol, word: &str) -> Option<LineCol> {
    let mut at = from;
    loop {
        let (line, column) = find_after(text, at, word)?;
        let source = line_text(text, line)?;
        let chars: Vec<char> = source.chars().collect();
        let start = to_index(column);
        let end = start + word.chars().count();
        let is_name = |c: &char| c.is_alphanumeric() || matches!(c, '_' | '-' | '$' | '{' | '.');
        let before_ok = start == 0 || !chars.get(start - 1).is_some_and(is_name);
        let after_ok = !chars.get(end).is_some_and(is_name);
        if before_ok && after_ok {
            return Some((line, column));
        }
        at = (line, column + 1);
    }
}

/// Where the value of top-level key `key:` starts (or the key itself when the value is on
/// the following lines). Only block-style top-level mappings are searched, which is what
/// scenario files are.
pub fn top_level_key(text: &str, key: &str) -> Option<(LineCol, Option<LineCol>)> {
    for (index, line) in text.lines().enumerate() {
        let Some(rest) = line.strip_prefix(key) else {
            continue;
        };
        let Some(after_colon) = rest.trim_start_matches(' ').strip_prefix(':') else {
            continue;
        };
        let number = index as u64 + 1;
        let value = after_colon.trim_start();
        let value_pos = if value.is_empty() || value.starts_with('#') {
            None
        } else {
            let offset = line.len() - value.len();
            Some((number, char_column(line, offset)))
        };
        return Some(((number, 1), value_pos));
    }
    None
}

/// The first earlier occurrence of mapping key `key` in the same mapping as the duplicate at
/// `dup`: same column, no shallower content in between (which would mean another mapping).
pub fn earlier_key(text: &str, dup: LineCol, key: &str) -> Option<LineCol> {
    let lines: Vec<&str> = text.lines().collect();
    let (dup_line, dup_column) = dup;
    let col = to_index(dup_column);
    let is_key_at = |line: &str, at: usize| {
        let rest: String = line.chars().skip(at).collect();
        let rest = rest.trim_start_matches(['"', '\'']);
        rest.strip_prefix(key)
            .is_some_and(|r| r.trim_start_matches(['"', '\'']).trim_start().starts_with(':'))
    };
    for index in (0..to_index(dup_line)).rev() {
        let line = lines.get(index)?;
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let prefix: String = line.chars().take(col).collect();
        if prefix.chars().all(|c| c == ' ' || c == '-') && is_key_at(line, col) {
            return Some((index as u64 + 1, dup_column));
        }
        // Anything shallower than the key (including the `- ` that opened this mapping)
        // means the mapping started after it.
        if line.chars().take_while(|c| *c == ' ').count() < col {
            return None;
        }
    }
    None
}

/// The scalar token starting at `pos`: a quoted string up to its closing quote, or a plain
/// scalar up to a comment, a flow indicator or the end of the line.
pub fn token_at(text: &str, pos: LineCol) -> Option<String> {
    let line = line_text(text, pos.0)?;
    let rest: String = line.chars().skip(to_index(pos.1)).collect();
    let quote = rest.chars().next()?;
    if quote == '"' || quote == '\'' {
        let close = rest[1..].find(quote).map_or(rest.len(), |i| i + 2);
        return Some(rest[..close].to_owned());
    }
    let end = rest
        .find(" #")
        .into_iter()
        .chain(rest.find([',', ']', '}']))
        .min()
        .unwrap_or(rest.len());
    let token = rest[..end].trim_end();
    (!token.is_empty()).then(|| token.to_owned())
}

/// Where the value at JSON Pointer `pointer` is written inside the expected value that starts
/// at `from` (for showing each mismatch's line). Keys are followed in order (`key:` as a whole
/// word, block or flow style); an array index `k` moves to the `k`-th `- ` item of a block
/// sequence. Stops at the deepest part it can find and returns it, or `from` itself.
pub fn locate_pointer(text: &str, from: LineCol, pointer: &str) -> LineCol {
    let mut at = from;
    for token in pointer.split('/').skip(1) {
        let token = token.replace("~1", "/").replace("~0", "~");
        let next = match token.parse::<usize>() {
            Ok(index) => nth_block_item(text, at, index),
            Err(_) => find_word_after(text, at, &format!("{token}:")),
        };
        match next {
            Some(found) => at = found,
            None => break,
        }
    }
    at
}

/// The `index`-th item (0-based) of the block sequence whose key is at `key`: the items are the
/// lines after it that start, at the first item's column, with `- `.
fn nth_block_item(text: &str, key: LineCol, index: usize) -> Option<LineCol> {
    let lines: Vec<&str> = text.lines().collect();
    let key_indent = lines
        .get(to_index(key.0))?
        .chars()
        .take_while(|c| *c == ' ')
        .count();
    let mut column = None;
    let mut seen = 0;
    for (number, line) in lines.iter().enumerate().skip(to_index(key.0) + 1) {
        let indent = line.chars().take_while(|c| *c == ' ').count();
        let rest = line.trim_start();
        if rest.is_empty() || rest.starts_with('#') {
            continue;
        }
        let item_column = *column.get_or_insert(indent);
        if indent < item_column || (indent <= key_indent && !rest.starts_with("- ")) {
            return None;
        }
        if indent == item_column && (rest.starts_with("- ") || rest == "-") {
            if seen == index {
                // The item's content starts after the dash and its space.
                return Some((number as u64 + 1, (indent + 3) as u64));
            }
            seen += 1;
        }
    }
    None
}

/// The 1-based column of the first tab on `line`, if any.
pub fn first_tab(text: &str, line: u64) -> Option<u64> {
    let source = line_text(text, line)?;
    source.chars().position(|c| c == '\t').map(|i| i as u64 + 1)
}

fn to_index(one_based: u64) -> usize {
    usize::try_from(one_based.saturating_sub(1)).unwrap_or(usize::MAX)
}

fn char_column(line: &str, byte_offset: usize) -> u64 {
    line[..byte_offset].chars().count() as u64 + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "name: x\nactors: [agent1]\nsteps:\n  - actor: agent1\n    request:\n      path: /a/${id}\n      path: /b\n";

    #[test]
    fn finds_needles_after_a_position() {
        assert_eq!(find_after(TEXT, (1, 1), "${id}"), Some((6, 16)));
        assert_eq!(find_after(TEXT, (6, 17), "${id}"), None);
        assert_eq!(find_word_after(TEXT, (3, 1), "agent1"), Some((4, 12)));
        assert_eq!(
            find_word_after("a: agent10 agent1", (1, 1), "agent1"),
            Some((1, 12))
        );
    }

    #[test]
    fn finds_top_level_keys_and_their_values() {
        assert_eq!(top_level_key(TEXT, "actors"), Some(((2, 1), Some((2, 9)))));
        assert_eq!(top_level_key(TEXT, "steps"), Some(((3, 1), None)));
        assert_eq!(top_level_key(TEXT, "vars"), None);
    }

    #[test]
    fn finds_the_first_of_a_duplicated_key() {
        assert_eq!(earlier_key(TEXT, (7, 7), "path"), Some((6, 7)));
        assert_eq!(earlier_key("- a: 1\n  b: 2\n  a: 3\n", (3, 3), "a"), Some((1, 3)));
        assert_eq!(earlier_key("x:\n  a: 1\ny:\n  a: 2\n", (4, 3), "a"), None);
    }

    #[test]
    fn reads_tokens() {
        assert_eq!(
            token_at("status: \"two hundred\" # c", (1, 9)).as_deref(),
            Some("\"two hundred\"")
        );
        assert_eq!(token_at("timeout: fast # c", (1, 10)).as_deref(), Some("fast"));
        assert_eq!(token_at("{ a: b, c: d }", (1, 6)).as_deref(), Some("b"));
        assert_eq!(first_tab("a\n\t- b\n", 2), Some(1));
    }

    #[test]
    fn locates_keys_and_block_items_of_a_pointer() {
        let text = "steps:\n  - notifications:\n      agent1:\n        - messageType: M\n          facebooksession:\n            state: Completed\n            participants:\n              - type: Customer\n              - type: Agent\n                nickname: x\n";
        let item = (4, 11);
        assert_eq!(locate_pointer(text, item, "/facebooksession/state"), (6, 13));
        assert_eq!(
            locate_pointer(text, item, "/facebooksession/participants/1/nickname"),
            (10, 17)
        );
        assert_eq!(
            locate_pointer(text, item, "/facebooksession/participants/0"),
            (8, 17)
        );
        // Unknown parts stop at the deepest known one.
        assert_eq!(locate_pointer(text, item, "/facebooksession/nope/x"), (5, 11));
        assert_eq!(locate_pointer(text, item, ""), item);
    }
}
