//! The `{"members": [{"id": …} | {"email": …}]}` bodies of the role and group endpoints, and
//! finding the users they name.

use serde_json::Value;

use crate::api::{ApiError, json_object};
use crate::mock_user::MockUser;
use crate::users::{is_addressed_by, listed_id};

/// Most members one request may name, as Zoom documents for role assignment.
pub(crate) const MAX_MEMBERS: usize = 30;

/// A user named in a members body. When an item has both, Zoom uses the id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum MemberRef {
    Id(String),
    Email(String),
}

impl MemberRef {
    /// Returns the id or email as the request gave it, for error messages.
    pub fn text(&self) -> &str {
        match self {
            MemberRef::Id(text) | MemberRef::Email(text) => text,
        }
    }

    /// Returns the index of the user this reference names.
    pub fn find(&self, users: &[MockUser]) -> Option<usize> {
        users.iter().position(|user| match self {
            MemberRef::Id(id) => listed_id(user) == Some(id.as_str()),
            MemberRef::Email(email) => user.email.eq_ignore_ascii_case(email),
        })
    }
}

/// Parses a members body, rejecting with code 300 a body without 1 to `MAX_MEMBERS` items or
/// with an item that has neither an `id` nor an `email` string.
pub(crate) fn parse_members(body: &[u8]) -> Result<Vec<MemberRef>, ApiError> {
    let object = json_object(body)?;
    let items = match object.get("members") {
        Some(Value::Array(items)) if (1..=MAX_MEMBERS).contains(&items.len()) => items,
        _ => return Err(ApiError::invalid_field("members")),
    };
    items
        .iter()
        .map(|item| {
            let text = |name: &str| {
                item.get(name)
                    .and_then(Value::as_str)
                    .filter(|text| !text.is_empty())
                    .map(str::to_owned)
            };
            match (text("id"), text("email")) {
                (Some(id), _) => Ok(MemberRef::Id(id)),
                (None, Some(email)) => Ok(MemberRef::Email(email)),
                (None, None) => Err(ApiError::invalid_field("members")),
            }
        })
        .collect()
}

/// Resolves every reference to a user index, or fails with code 1001 naming the first unknown
/// one, so a request with an unknown member changes nothing.
pub(crate) fn resolve_all(
    references: &[MemberRef],
    users: &[MockUser],
) -> Result<Vec<usize>, ApiError> {
    references
        .iter()
        .map(|reference| {
            reference
                .find(users)
                .ok_or_else(|| ApiError::user_not_found(reference.text()))
        })
        .collect()
}

/// Returns the index of the user a `{memberId}` or `{userId}` path segment names.
pub(crate) fn find_addressed(users: &[MockUser], user_id: &str) -> Option<usize> {
    users.iter().position(|user| is_addressed_by(user, user_id))
}

/// Returns the id a response reports for a user: the id, or the email of a user without one.
pub(crate) fn reported_id(user: &MockUser) -> String {
    user.id.clone().unwrap_or_else(|| user.email.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_parse_by_id_or_email() {
        let body = br#"{"members":[{"id":"a"},{"email":"b@example.test"},{"id":"c","email":"d"}]}"#;

        assert_eq!(
            parse_members(body).expect("valid body"),
            [
                MemberRef::Id("a".to_owned()),
                MemberRef::Email("b@example.test".to_owned()),
                MemberRef::Id("c".to_owned()),
            ]
        );
    }

    #[test]
    fn members_body_is_validated() {
        let too_many = format!(
            r#"{{"members":[{}]}}"#,
            vec![r#"{"id":"a"}"#; MAX_MEMBERS + 1].join(",")
        );
        for body in [
            "{}",
            r#"{"members":[]}"#,
            r#"{"members":[{}]}"#,
            r#"{"members":"a"}"#,
            "not json",
            too_many.as_str(),
        ] {
            let error = parse_members(body.as_bytes()).expect_err(body);
            assert_eq!(error.code, 300, "{body}");
        }
    }
}
