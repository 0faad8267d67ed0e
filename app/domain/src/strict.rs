//! Strict reading of what a client sends (严格读取): a request body or a
//! pushed record is read into its type, and a field the type does not have
//! is refused with its path — never dropped. A newer app that sends a field
//! an older server does not know is thus told so, instead of losing it.
//!
//! Answers go the other way and may gain fields: a client ignores what it
//! does not know (docs/sync.md, "Errors").
//!
//! Paths read like `mutations[0].payload.parties[1].resident_id`, the same
//! form as `serde_path_to_error` gives for a value that does not read.

use serde::de::{Deserialize, DeserializeOwned, Deserializer};
use std::fmt;

/// Why a request or record did not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unreadable {
    /// A field the type does not have, at `path`.
    UnknownField { path: String },
    /// A value that does not read (`path` is `None` at the top: not JSON).
    Bad {
        path: Option<String>,
        reason: String,
    },
}

impl Unreadable {
    /// The path of the field at fault, when one is known.
    pub fn path(&self) -> Option<&str> {
        match self {
            Unreadable::UnknownField { path } => Some(path),
            Unreadable::Bad { path, .. } => path.as_deref(),
        }
    }
}

impl fmt::Display for Unreadable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unreadable::UnknownField { path } => write!(
                f,
                "服务器不认识字段 {path}（应用可能比服务器新，请更新服务器） / \
                 the server does not know the field {path} (the app may be newer than the server)"
            ),
            Unreadable::Bad { reason, .. } => write!(f, "{reason}"),
        }
    }
}

/// Reads `T` from `de`, refusing any field `T` does not have.
pub fn read<'de, D, T>(de: D) -> Result<T, Unreadable>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    let mut unknown: Option<String> = None;
    let mut track = serde_path_to_error::Track::new();
    let value = {
        let de = serde_path_to_error::Deserializer::new(de, &mut track);
        serde_ignored::deserialize(de, |path| {
            unknown.get_or_insert_with(|| render(&path));
        })
    };
    match (value, unknown) {
        (Err(e), _) => {
            let path = track.path().to_string();
            Err(Unreadable::Bad {
                path: (path != ".").then_some(path),
                reason: e.to_string(),
            })
        }
        (Ok(_), Some(path)) => Err(Unreadable::UnknownField { path }),
        (Ok(v), None) => Ok(v),
    }
}

/// Reads `T` from JSON text.
pub fn from_slice<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Unreadable> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = read(&mut de)?;
    de.end().map_err(|e| Unreadable::Bad {
        path: None,
        reason: e.to_string(),
    })?;
    Ok(value)
}

/// Reads `T` from a JSON value already parsed (a pushed record).
pub fn from_value<T: DeserializeOwned>(value: &serde_json::Value) -> Result<T, Unreadable> {
    read(value)
}

/// `mutations[0].payload.x`, as `serde_path_to_error` writes paths.
fn render(path: &serde_ignored::Path<'_>) -> String {
    use serde_ignored::Path;
    match path {
        Path::Root => String::new(),
        Path::Seq { parent, index } => format!("{}[{index}]", render(parent)),
        Path::Map { parent, key } => {
            let parent = render(parent);
            if parent.is_empty() {
                key.clone()
            } else {
                format!("{parent}.{key}")
            }
        }
        Path::Some { parent }
        | Path::NewtypeStruct { parent }
        | Path::NewtypeVariant { parent } => render(parent),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Inner {
        name: String,
        #[serde(default)]
        note: Option<String>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Outer {
        items: Vec<Inner>,
        inner: Option<Inner>,
    }

    #[test]
    fn a_known_body_reads() {
        let o: Outer =
            from_slice(br#"{"items":[{"name":"a"}],"inner":{"name":"b","note":"c"}}"#).unwrap();
        assert_eq!(o.items[0].name, "a");
        assert_eq!(o.inner.unwrap().note.as_deref(), Some("c"));
    }

    #[test]
    fn an_unknown_field_is_refused_with_its_path() {
        let e =
            from_slice::<Outer>(br#"{"items":[{"name":"a"},{"name":"b","nmae":1}],"inner":null}"#)
                .unwrap_err();
        assert_eq!(
            e,
            Unreadable::UnknownField {
                path: "items[1].nmae".into()
            }
        );
        let e = from_slice::<Outer>(br#"{"items":[],"inner":{"name":"b","extra":{"deep":[1]}}}"#)
            .unwrap_err();
        assert_eq!(e.path(), Some("inner.extra"));
        let e = from_slice::<Outer>(br#"{"items":[],"inner":null,"surprise":true}"#).unwrap_err();
        assert_eq!(e.path(), Some("surprise"));
        assert!(e.to_string().contains("服务器不认识字段 surprise"), "{e}");
    }

    #[test]
    fn a_bad_value_names_its_path_and_trailing_text_is_refused() {
        let e = from_slice::<Outer>(br#"{"items":[{"name":5}],"inner":null}"#).unwrap_err();
        assert_eq!(e.path(), Some("items[0].name"));
        assert!(matches!(e, Unreadable::Bad { .. }));
        let e = from_slice::<Outer>(br#"{"items":[],"inner":null} x"#).unwrap_err();
        assert_eq!(e.path(), None);
        let e = from_slice::<Outer>(b"not json").unwrap_err();
        assert_eq!(e.path(), None);
    }

    #[test]
    fn a_value_reads_strictly_too() {
        let v = serde_json::json!({"items": [], "inner": null, "x": 1});
        assert_eq!(from_value::<Outer>(&v).unwrap_err().path(), Some("x"));
    }
}
