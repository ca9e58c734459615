//! The fields a sequence's building blocks have in common — the body of the sequence's
//! shell alert — as Kibana's `objectPairIntersection` computes them:
//!
//! * dotted keys and nested objects are the same field (`"user.id": 1` and
//!   `user: {id: 1}`);
//! * a field is kept when both sides hold the same primitive value; when either side is
//!   a list, the values both lists share are kept (possibly none: `[]`); objects are
//!   intersected field by field; nested objects left empty are dropped;
//! * in the result, a field written with a dotted key on both sides keeps its dotted
//!   key, anything else is nested.
//!
//! The traversal order (and so the key order of the result) follows Kibana's iterative
//! implementation, which walks objects with a stack.

use super::js::{lodash_intersection, strict_equal, JsObject};
use serde_json::{Map, Value as Json};
use std::collections::HashSet;

/// A JavaScript value inside the intersection: an object (ordered, keys may hold
/// `undefined`) or anything else.
#[derive(Clone, Debug)]
enum Node {
    Obj(Vec<(String, Node)>),
    Leaf(Option<Json>),
}

impl Node {
    fn from_json(v: &Json) -> Node {
        match v {
            Json::Object(m) => Node::Obj(
                m.iter()
                    .map(|(k, v)| (k.clone(), Node::from_json(v)))
                    .collect(),
            ),
            other => Node::Leaf(Some(other.clone())),
        }
    }

    fn to_json(&self) -> Option<Json> {
        match self {
            Node::Leaf(v) => v.clone(),
            Node::Obj(entries) => Some(Json::Object(
                entries
                    .iter()
                    .filter_map(|(k, v)| Some((k.clone(), v.to_json()?)))
                    .collect::<Map<String, Json>>(),
            )),
        }
    }
}

type Path = Vec<String>;

/// `flattenToPathValuesWithNotation`: leaf paths (dotted keys split) with their values,
/// in Kibana's stack order, and the paths whose last key was dotted.
fn flatten(root: &[(String, Node)]) -> (Vec<(Path, Option<Json>)>, HashSet<String>) {
    let mut values = Vec::new();
    let mut dotted = HashSet::new();
    let mut stack: Vec<(&[(String, Node)], Path)> = vec![(root, Vec::new())];
    while let Some((entries, prefix)) = stack.pop() {
        for (k, v) in entries {
            let mut path = prefix.clone();
            path.extend(k.split('.').map(String::from));
            match v {
                Node::Obj(inner) => stack.push((inner, path)),
                Node::Leaf(value) => {
                    if k.contains('.') {
                        dotted.insert(path.join("."));
                    }
                    values.push((path, value.clone()));
                }
            }
        }
    }
    (values, dotted)
}

/// lodash `setWith(obj, path, value)`: intermediate non-objects are replaced by objects.
fn set_path(entries: &mut Vec<(String, Node)>, path: &[String], value: Node) {
    let Some((first, rest)) = path.split_first() else {
        return;
    };
    let i = match entries.iter().position(|(k, _)| k == first) {
        Some(i) => i,
        None => {
            entries.push((first.clone(), Node::Leaf(None)));
            entries.len() - 1
        }
    };
    if rest.is_empty() {
        entries[i].1 = value;
        return;
    }
    if !matches!(entries[i].1, Node::Obj(_)) {
        entries[i].1 = Node::Obj(Vec::new());
    }
    if let Node::Obj(inner) = &mut entries[i].1 {
        set_path(inner, rest, value);
    }
}

fn unflatten(values: Vec<(Path, Option<Json>)>) -> Vec<(String, Node)> {
    let mut out = Vec::new();
    for (path, v) in values {
        // A JSON object value was already split into paths; leaves are primitives/arrays.
        set_path(&mut out, &path, Node::Leaf(v));
    }
    out
}

/// `intersectValues` + the walk: the common fields of two normalized objects.
fn intersect(a: &[(String, Node)], b: &[(String, Node)]) -> Vec<(String, Node)> {
    let mut out = Vec::new();
    for (key, a_val) in a {
        let Some((_, b_val)) = b.iter().find(|(k, _)| k == key) else {
            continue;
        };
        let result = match (a_val, b_val) {
            (Node::Obj(x), Node::Obj(y)) => Some(Node::Obj(intersect(x, y))),
            (Node::Leaf(x), Node::Leaf(y)) => leaf_intersection(x.as_ref(), y.as_ref()),
            // An object against a list: the list's values that are that object (none).
            (Node::Obj(_), Node::Leaf(Some(Json::Array(_))))
            | (Node::Leaf(Some(Json::Array(_))), Node::Obj(_)) => {
                Some(Node::Leaf(Some(Json::Array(Vec::new()))))
            }
            _ => None,
        };
        if let Some(r) = result {
            out.push((key.clone(), r));
        }
    }
    out
}

fn leaf_intersection(a: Option<&Json>, b: Option<&Json>) -> Option<Node> {
    match (a, b) {
        (None, None) => Some(Node::Leaf(None)),
        (Some(x), Some(y)) if strict_equal(x, y) => Some(Node::Leaf(Some(x.clone()))),
        (Some(x), Some(y)) if x.is_array() || y.is_array() => {
            let xs = match x {
                Json::Array(v) => v.clone(),
                other => vec![other.clone()],
            };
            let ys = match y {
                Json::Array(v) => v.clone(),
                other => vec![other.clone()],
            };
            Some(Node::Leaf(Some(Json::Array(lodash_intersection(&xs, &ys)))))
        }
        _ => None,
    }
}

/// Drops nested objects that are empty or hold only `undefined` (bottom-up).
fn prune(entries: &mut Vec<(String, Node)>) {
    entries.retain_mut(|(_, v)| match v {
        Node::Obj(inner) => {
            prune(inner);
            inner.iter().any(|(_, x)| !matches!(x, Node::Leaf(None)))
        }
        Node::Leaf(_) => true,
    });
}

/// The fields `a` and `b` share, or `None` if they share nothing defined.
pub fn pair(a: &JsObject, b: &JsObject) -> Option<JsObject> {
    let to_nodes = |o: &JsObject| -> Vec<(String, Node)> {
        o.entries()
            .map(|(k, v)| (k.to_string(), v.map_or(Node::Leaf(None), Node::from_json)))
            .collect()
    };
    let (a_values, a_dotted) = flatten(&to_nodes(a));
    let (b_values, b_dotted) = flatten(&to_nodes(b));
    let a_norm = unflatten(a_values);
    let b_norm = unflatten(b_values);
    let mut common = intersect(&a_norm, &b_norm);
    prune(&mut common);
    if !common.iter().any(|(_, v)| !matches!(v, Node::Leaf(None))) {
        return None;
    }
    // Dotted on both sides stays dotted; everything else is nested.
    let (values, _) = flatten(&common);
    let mut result: Vec<(String, Node)> = Vec::new();
    for (path, value) in values {
        let joined = path.join(".");
        if a_dotted.contains(&joined) && b_dotted.contains(&joined) {
            match result.iter_mut().find(|(k, _)| *k == joined) {
                Some(entry) => entry.1 = Node::Leaf(value),
                None => result.push((joined, Node::Leaf(value))),
            }
        } else {
            set_path(&mut result, &path, Node::Leaf(value));
        }
    }
    let mut out = JsObject::new();
    for (k, v) in result {
        out.set(&k, v.to_json());
    }
    Some(out)
}

/// `objectArrayIntersection`: the first object alone, or the pairwise intersection of
/// all of them from the left.
pub fn all(objects: &[JsObject]) -> Option<JsObject> {
    let (first, rest) = objects.split_first()?;
    rest.iter()
        .try_fold(first.clone(), |acc, next| pair(&acc, next))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Json) -> JsObject {
        match v {
            Json::Object(m) => JsObject::from_map(m),
            _ => JsObject::new(),
        }
    }

    fn inter(a: Json, b: Json) -> Option<Json> {
        pair(&obj(a), &obj(b)).map(|o| o.to_json())
    }

    #[test]
    fn kibanas_cases() {
        assert_eq!(
            inter(json!({"f": 1}), json!({"f": [1, 2, 3]})),
            Some(json!({"f": [1]}))
        );
        assert_eq!(
            inter(json!({"f": [3, 4, 5]}), json!({"f": [1, 2, 3, 4]})),
            Some(json!({"f": [3, 4]}))
        );
        assert_eq!(
            inter(
                json!({"user.email": "m@e.co"}),
                json!({"user": {"email": "m@e.co"}})
            ),
            Some(json!({"user": {"email": "m@e.co"}}))
        );
        assert_eq!(
            inter(json!({"a.b.c": 42}), json!({"a": {"b": {"c": 42}}})),
            Some(json!({"a": {"b": {"c": 42}}}))
        );
        assert_eq!(inter(json!({}), json!({})), None);
        assert_eq!(inter(json!({"a": 1}), json!({"b": 1})), None);
        assert_eq!(
            inter(
                json!({"field1": 1, "field2": 1}),
                json!({"field1": 1, "field2": "1"})
            ),
            Some(json!({"field1": 1}))
        );
        assert_eq!(
            inter(
                json!({"f1": 1, "f2": "1", "f3": null}),
                json!({"f1": null, "f2": null, "f3": null})
            ),
            Some(json!({"f3": null}))
        );
        assert_eq!(
            inter(
                json!({"x": [1, 2], "y": [1, 2]}),
                json!({"x": [1, 2], "y": [3, 4]})
            ),
            Some(json!({"x": [1, 2], "y": []}))
        );
        assert_eq!(
            inter(
                json!({"c": {"f1": 1, "f2": 1, "n": {"f1": 1, "f2": 1}}, "w": {"s1": 1}}),
                json!({"c": {"f1": 1, "f2": 2, "n": {"f1": 1, "f2": 2}}, "w": {"s2": 1}})
            ),
            Some(json!({"c": {"f1": 1, "n": {"f1": 1}}}))
        );
    }

    #[test]
    fn dotted_on_both_sides_stays_dotted() {
        let got = pair(
            &obj(json!({"kibana.alert.rule.name": "r", "host": {"name": "h"}})),
            &obj(json!({"kibana.alert.rule.name": "r", "host.name": "h"})),
        )
        .expect("common fields");
        assert_eq!(
            got.to_json(),
            json!({"host": {"name": "h"}, "kibana.alert.rule.name": "r"})
        );
        let three = all(&[
            obj(json!({"user.id": "u1", "event": {"action": "login"}})),
            obj(json!({"user": {"id": "u1"}, "event": {"action": "login"}})),
            obj(json!({"user.id": "u1", "event.action": "login"})),
        ])
        .expect("common");
        let j = three.to_json();
        assert_eq!(j["user"]["id"], json!("u1"));
        assert_eq!(j["event"]["action"], json!("login"));
    }
}
