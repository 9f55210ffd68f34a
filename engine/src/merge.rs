//! Merge planning: given the surviving profile and the one it absorbs, which field values and
//! identities move, which values conflict (a person chooses), and what must be kept to undo.
//! The plan is data; the store applies it in one transaction and keeps `Undo` beside it.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

/// One side of a merge: scalar fields by name, list fields (tags, sources) by name, identities.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MergeSide {
    pub fields: BTreeMap<String, Option<String>>,
    pub lists: BTreeMap<String, Vec<String>>,
    pub identities: Vec<MergeIdentity>,
}

/// An identity as the plan sees it: its row id and what it identifies.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct MergeIdentity {
    pub id: String,
    pub kind: String,
    pub provider: String,
    pub value: String,
}

impl MergeIdentity {
    fn key(&self) -> (&str, &str, &str) {
        (&self.kind, &self.provider, &self.value)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldOutcome {
    /// Both sides agree (or both are empty).
    Same,
    /// Only the absorbed profile has a value: it fills the survivor's gap.
    TakeAbsorbed,
    /// Only the survivor has a value.
    KeepSurvivor,
    /// Both have different values: a person chooses; until then the survivor's stands.
    Conflict,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldPlan {
    pub name: String,
    pub survivor: Option<String>,
    pub absorbed: Option<String>,
    pub outcome: FieldOutcome,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MergePlan {
    pub fields: Vec<FieldPlan>,
    /// List fields after the merge: the union, survivor's order first.
    pub lists: BTreeMap<String, Vec<String>>,
    /// Absorbed identities that move to the survivor.
    pub identities_to_move: Vec<String>,
    /// Absorbed identities the survivor already holds: (absorbed id, survivor id). They are
    /// retired rather than moved, and restored on undo.
    pub identities_duplicated: Vec<(String, String)>,
    /// Everything needed to put both profiles back as they were.
    pub undo: Undo,
}

/// The state before the merge, kept beside the merge so it can be undone exactly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Undo {
    pub survivor: MergeSide,
    pub absorbed: MergeSide,
}

/// A person's choice for a conflicting field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "take", content = "value")]
pub enum Choice {
    Survivor,
    Absorbed,
    /// A value typed by the person deciding (e.g. a corrected spelling).
    Value(String),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MergeError {
    #[error("no field {0:?} in this merge")]
    UnknownField(String),
}

/// Plans merging `absorbed` into `survivor`.
pub fn plan_merge(survivor: &MergeSide, absorbed: &MergeSide) -> MergePlan {
    let names: BTreeSet<&String> = survivor
        .fields
        .keys()
        .chain(absorbed.fields.keys())
        .collect();
    let fields = names
        .into_iter()
        .map(|name| {
            let s = survivor
                .fields
                .get(name)
                .cloned()
                .flatten()
                .filter(|v| !v.trim().is_empty());
            let a = absorbed
                .fields
                .get(name)
                .cloned()
                .flatten()
                .filter(|v| !v.trim().is_empty());
            let outcome = match (&s, &a) {
                (None, None) => FieldOutcome::Same,
                (Some(x), Some(y)) if x == y => FieldOutcome::Same,
                (None, Some(_)) => FieldOutcome::TakeAbsorbed,
                (Some(_), None) => FieldOutcome::KeepSurvivor,
                (Some(_), Some(_)) => FieldOutcome::Conflict,
            };
            FieldPlan {
                name: name.clone(),
                survivor: s,
                absorbed: a,
                outcome,
            }
        })
        .collect();

    let list_names: BTreeSet<&String> =
        survivor.lists.keys().chain(absorbed.lists.keys()).collect();
    let lists = list_names
        .into_iter()
        .map(|name| {
            let mut merged: Vec<String> = survivor.lists.get(name).cloned().unwrap_or_default();
            for v in absorbed.lists.get(name).into_iter().flatten() {
                if !merged.contains(v) {
                    merged.push(v.clone());
                }
            }
            (name.clone(), merged)
        })
        .collect();

    let held: BTreeMap<(&str, &str, &str), &MergeIdentity> =
        survivor.identities.iter().map(|i| (i.key(), i)).collect();
    let mut identities_to_move = Vec::new();
    let mut identities_duplicated = Vec::new();
    for identity in &absorbed.identities {
        match held.get(&identity.key()) {
            Some(existing) => {
                identities_duplicated.push((identity.id.clone(), existing.id.clone()))
            }
            None => identities_to_move.push(identity.id.clone()),
        }
    }
    MergePlan {
        fields,
        lists,
        identities_to_move,
        identities_duplicated,
        undo: Undo {
            survivor: survivor.clone(),
            absorbed: absorbed.clone(),
        },
    }
}

impl MergePlan {
    /// Fields that need a person's choice.
    pub fn conflicts(&self) -> impl Iterator<Item = &FieldPlan> {
        self.fields
            .iter()
            .filter(|f| f.outcome == FieldOutcome::Conflict)
    }

    /// The survivor's field values after the merge, given the choices made for conflicts
    /// (a conflict without a choice keeps the survivor's value). A choice may also override a
    /// non-conflicting field.
    pub fn resolve(
        &self,
        choices: &BTreeMap<String, Choice>,
    ) -> Result<BTreeMap<String, Option<String>>, MergeError> {
        if let Some(unknown) = choices
            .keys()
            .find(|k| !self.fields.iter().any(|f| &f.name == *k))
        {
            return Err(MergeError::UnknownField(unknown.clone()));
        }
        Ok(self
            .fields
            .iter()
            .map(|f| {
                let value = match (choices.get(&f.name), f.outcome) {
                    (Some(Choice::Survivor), _) => f.survivor.clone(),
                    (Some(Choice::Absorbed), _) => f.absorbed.clone(),
                    (Some(Choice::Value(v)), _) => Some(v.clone()),
                    (None, FieldOutcome::TakeAbsorbed) => f.absorbed.clone(),
                    (None, _) => f.survivor.clone(),
                };
                (f.name.clone(), value)
            })
            .collect())
    }

    /// The survivor as it will be after the merge with these choices.
    pub fn merged_survivor(
        &self,
        choices: &BTreeMap<String, Choice>,
    ) -> Result<MergeSide, MergeError> {
        let mut identities = self.undo.survivor.identities.clone();
        identities.extend(
            self.undo
                .absorbed
                .identities
                .iter()
                .filter(|i| self.identities_to_move.contains(&i.id))
                .cloned(),
        );
        Ok(MergeSide {
            fields: self.resolve(choices)?,
            lists: self.lists.clone(),
            identities,
        })
    }
}

/// Whether two spellings of a name field (`given_name`, `family_name` or `display_name`) are
/// still one person's name as the match model reads them: a nickname, a slip, a loose
/// spelling, an initial. The side-by-side then says "alike", as the explanation does, not
/// "different". Other fields are never alike.
pub fn names_alike(field: &str, a: &str, b: &str) -> bool {
    use crate::model::Model;
    use crate::normalize::phone::Region;
    use crate::record::{Field, RawRecord, Record};

    let (as_field, comparisons): (Field, &[&str]) = match field {
        "given_name" => (Field::FirstName, &["first_name"]),
        "family_name" => (Field::LastName, &["last_name"]),
        "display_name" => (Field::FullName, &["first_name", "last_name"]),
        _ => return false,
    };
    let record = |value: &str| {
        Record::from_raw(
            &RawRecord {
                id: String::new(),
                fields: [(as_field.clone(), value.to_owned())].into(),
            },
            Region::default(),
        )
        .0
    };
    let (a, b) = (record(a), record(b));
    let model = Model::default_for_people();
    comparisons.iter().all(|name| {
        model.comparison(name).is_some_and(|(_, comparison)| {
            // Any level but the last ("else") says the two may be one name.
            comparison
                .kind
                .level(&a, &b)
                .is_some_and(|level| usize::from(level) + 1 < comparison.levels.len())
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn side(
        fields: &[(&str, Option<&str>)],
        tags: &[&str],
        ids: &[(&str, &str, &str)],
    ) -> MergeSide {
        MergeSide {
            fields: fields
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.map(str::to_owned)))
                .collect(),
            lists: [(
                "tags".to_owned(),
                tags.iter().map(|t| (*t).to_owned()).collect(),
            )]
            .into(),
            identities: ids
                .iter()
                .map(|(id, kind, value)| MergeIdentity {
                    id: (*id).into(),
                    kind: (*kind).into(),
                    provider: String::new(),
                    value: (*value).into(),
                })
                .collect(),
        }
    }

    #[test]
    fn gaps_are_filled_and_differences_are_conflicts() {
        let s = side(
            &[
                ("name", Some("Ann Lee")),
                ("email", None),
                ("phone", Some("+1")),
            ],
            &["vip"],
            &[],
        );
        let a = side(
            &[
                ("name", Some("Anne Lee")),
                ("email", Some("ann@x.com")),
                ("phone", Some("+1")),
            ],
            &["wholesale", "vip"],
            &[],
        );
        let plan = plan_merge(&s, &a);
        let outcome = |n: &str| plan.fields.iter().find(|f| f.name == n).map(|f| f.outcome);
        assert_eq!(outcome("name"), Some(FieldOutcome::Conflict));
        assert_eq!(outcome("email"), Some(FieldOutcome::TakeAbsorbed));
        assert_eq!(outcome("phone"), Some(FieldOutcome::Same));
        assert_eq!(plan.lists["tags"], vec!["vip", "wholesale"]);
        let merged = plan.resolve(&BTreeMap::new()).expect("resolve");
        assert_eq!(
            merged["name"].as_deref(),
            Some("Ann Lee"),
            "a conflict without a choice keeps the survivor's value"
        );
        assert_eq!(merged["email"].as_deref(), Some("ann@x.com"));
        let chosen = plan
            .resolve(&[("name".to_owned(), Choice::Absorbed)].into())
            .expect("resolve");
        assert_eq!(chosen["name"].as_deref(), Some("Anne Lee"));
    }

    #[test]
    fn shared_identities_are_not_moved_twice() {
        let s = side(&[], &[], &[("s1", "email", "ann@x.com")]);
        let a = side(
            &[],
            &[],
            &[
                ("a1", "email", "ann@x.com"),
                ("a2", "phone", "+15555550100"),
            ],
        );
        let plan = plan_merge(&s, &a);
        assert_eq!(plan.identities_to_move, vec!["a2"]);
        assert_eq!(
            plan.identities_duplicated,
            vec![("a1".to_owned(), "s1".to_owned())]
        );
    }

    #[test]
    fn choosing_an_unknown_field_is_an_error() {
        let plan = plan_merge(
            &side(&[("name", Some("A"))], &[], &[]),
            &side(&[("name", Some("B"))], &[], &[]),
        );
        assert_eq!(
            plan.resolve(&[("shoe".to_owned(), Choice::Survivor)].into()),
            Err(MergeError::UnknownField("shoe".into()))
        );
    }

    fn arb_side() -> impl proptest::strategy::Strategy<Value = MergeSide> {
        use proptest::prelude::*;
        (
            proptest::collection::btree_map("[a-d]", proptest::option::of("[a-c]{0,2}"), 0..4),
            proptest::collection::vec("[a-c]", 0..4),
            proptest::collection::btree_map("[a-c]{1,2}", "[a-c]", 0..4),
        )
            .prop_map(|(fields, tags, ids)| MergeSide {
                fields,
                lists: [("tags".to_owned(), tags)].into(),
                identities: ids
                    .into_iter()
                    .map(|(value, kind)| MergeIdentity {
                        id: format!("{kind}:{value}"),
                        kind,
                        provider: String::new(),
                        value,
                    })
                    .collect(),
            })
    }

    proptest::proptest! {
        /// Merge then undo restores both originals exactly; nothing is lost in between.
        #[test]
        fn merge_then_undo_restores_the_original(s in arb_side(), a in arb_side()) {
            let plan = plan_merge(&s, &a);
            proptest::prop_assert_eq!(&plan.undo.survivor, &s);
            proptest::prop_assert_eq!(&plan.undo.absorbed, &a);
            let merged = plan.merged_survivor(&BTreeMap::new()).expect("merge");
            // Every identity of either side is held by the merged profile (by what it identifies).
            for identity in s.identities.iter().chain(&a.identities) {
                proptest::prop_assert!(merged.identities.iter().any(|m| m.key() == identity.key()));
            }
            // Every non-empty value of the survivor that was not in conflict is kept.
            for (k, v) in &s.fields {
                if let Some(v) = v.as_ref().filter(|v| !v.trim().is_empty()) {
                    proptest::prop_assert_eq!(merged.fields[k].as_ref(), Some(v));
                }
            }
        }
    }

    #[test]
    fn names_are_alike_when_the_model_reads_one_name_and_different_otherwise() {
        use super::names_alike;
        for (field, a, b) in [
            ("given_name", "Zephyrine", "Zeph"),
            ("given_name", "Robert", "Bob"),
            ("given_name", "Katherine", "Kathrine"),
            ("family_name", "Marlowe", "Marlow"),
            ("display_name", "Quintessa Marlowe", "Quintesa Marlowe"),
            ("display_name", "Alexandra Jones", "Sasha Jones"),
        ] {
            assert!(names_alike(field, a, b), "{field}: {a} / {b}");
        }
        for (field, a, b) in [
            ("given_name", "Samuel", "Patricia"),
            ("family_name", "Marlowe", "Okafor"),
            ("display_name", "Quintessa Marlowe", "Quintessa Okafor"),
            ("primary_email", "a@example.com", "a@example.org"),
            ("given_name", "", "Ann"),
        ] {
            assert!(!names_alike(field, a, b), "{field}: {a} / {b}");
        }
    }
}
