//! English nicknames and spelling variants mapped to one canonical given name, so "Bob",
//! "Bobby" and "Robert" compare equal. A nickname shared by several names maps to the one
//! most often meant in US usage (per SSA name frequencies): "chris" -> christopher,
//! "alex" -> alexander, "sam" -> samuel, "pat" -> patricia, "teddy" -> edward,
//! "harry" -> henry, "jerry" -> gerald, "lou" -> louis, "ronnie" -> ronald. A wrong guess
//! only lowers a name-similarity score; it never links records on its own.

use rustc_hash::FxHashMap;

/// Sorted by nickname (checked by a test) for binary search.
const NICKNAMES: &[(&str, &str)] = &[
    ("abbie", "abigail"),
    ("abby", "abigail"),
    ("abe", "abraham"),
    ("al", "albert"),
    ("alec", "alexander"),
    ("alex", "alexander"),
    ("allie", "allison"),
    ("ally", "allison"),
    ("andy", "andrew"),
    ("angie", "angela"),
    ("annie", "anne"),
    ("art", "arthur"),
    ("artie", "arthur"),
    ("babs", "barbara"),
    ("barb", "barbara"),
    ("barbie", "barbara"),
    ("bea", "beatrice"),
    ("becca", "rebecca"),
    ("becky", "rebecca"),
    ("bella", "isabella"),
    ("belle", "isabella"),
    ("ben", "benjamin"),
    ("benji", "benjamin"),
    ("benny", "benjamin"),
    ("bernie", "bernard"),
    ("beth", "elizabeth"),
    ("betsy", "elizabeth"),
    ("bette", "elizabeth"),
    ("betty", "elizabeth"),
    ("bill", "william"),
    ("billy", "william"),
    ("bob", "robert"),
    ("bobby", "robert"),
    ("brad", "bradley"),
    ("cam", "cameron"),
    ("carrie", "caroline"),
    ("catherine", "katherine"),
    ("cathy", "katherine"),
    ("charlie", "charles"),
    ("chas", "charles"),
    ("chris", "christopher"),
    ("chrissy", "christina"),
    ("chuck", "charles"),
    ("cindy", "cynthia"),
    ("cliff", "clifford"),
    ("connie", "constance"),
    ("curt", "curtis"),
    ("dan", "daniel"),
    ("danny", "daniel"),
    ("dave", "david"),
    ("davey", "david"),
    ("davy", "david"),
    ("deb", "deborah"),
    ("debbie", "deborah"),
    ("debby", "deborah"),
    ("debra", "deborah"),
    ("dick", "richard"),
    ("dom", "dominic"),
    ("don", "donald"),
    ("donnie", "donald"),
    ("dot", "dorothy"),
    ("dottie", "dorothy"),
    ("doug", "douglas"),
    ("drew", "andrew"),
    ("ed", "edward"),
    ("eddie", "edward"),
    ("eddy", "edward"),
    ("edie", "edith"),
    ("eliza", "elizabeth"),
    ("ellie", "eleanor"),
    ("evie", "evelyn"),
    ("flo", "florence"),
    ("fran", "frances"),
    ("frank", "francis"),
    ("frankie", "francis"),
    ("fred", "frederick"),
    ("freddie", "frederick"),
    ("freddy", "frederick"),
    ("gabe", "gabriel"),
    ("gene", "eugene"),
    ("geoffrey", "jeffrey"),
    ("georgie", "george"),
    ("gerry", "gerald"),
    ("gertie", "gertrude"),
    ("ginny", "virginia"),
    ("greg", "gregory"),
    ("gus", "augustus"),
    ("gwen", "gwendolyn"),
    ("hank", "henry"),
    ("harry", "henry"),
    ("hattie", "harriet"),
    ("izzy", "isabella"),
    ("jackie", "jacqueline"),
    ("jake", "jacob"),
    ("jamie", "james"),
    ("jeff", "jeffrey"),
    ("jen", "jennifer"),
    ("jenn", "jennifer"),
    ("jenny", "jennifer"),
    ("jerry", "gerald"),
    ("jess", "jessica"),
    ("jessie", "jessica"),
    ("jim", "james"),
    ("jimmy", "james"),
    ("joe", "joseph"),
    ("joey", "joseph"),
    ("johnny", "john"),
    ("jon", "jonathan"),
    ("josh", "joshua"),
    ("josie", "josephine"),
    ("judi", "judith"),
    ("judy", "judith"),
    ("kat", "katherine"),
    ("kate", "katherine"),
    ("katharine", "katherine"),
    ("kathryn", "katherine"),
    ("kathy", "katherine"),
    ("katie", "katherine"),
    ("katy", "katherine"),
    ("ken", "kenneth"),
    ("kenny", "kenneth"),
    ("kim", "kimberly"),
    ("kitty", "katherine"),
    ("larry", "lawrence"),
    ("len", "leonard"),
    ("lenny", "leonard"),
    ("liam", "william"),
    ("libby", "elizabeth"),
    ("lil", "lillian"),
    ("liz", "elizabeth"),
    ("lizzie", "elizabeth"),
    ("lizzy", "elizabeth"),
    ("lottie", "charlotte"),
    ("lou", "louis"),
    ("maddie", "madeline"),
    ("maddy", "madeline"),
    ("maggie", "margaret"),
    ("mandy", "amanda"),
    ("marge", "margaret"),
    ("margie", "margaret"),
    ("marty", "martin"),
    ("matt", "matthew"),
    ("matty", "matthew"),
    ("meg", "margaret"),
    ("mick", "michael"),
    ("mickey", "michael"),
    ("mike", "michael"),
    ("mikey", "michael"),
    ("missy", "melissa"),
    ("mitch", "mitchell"),
    ("nate", "nathan"),
    ("ned", "edward"),
    ("nick", "nicholas"),
    ("nicky", "nicholas"),
    ("nikki", "nicole"),
    ("ollie", "oliver"),
    ("paddy", "patrick"),
    ("pam", "pamela"),
    ("pat", "patricia"),
    ("patsy", "patricia"),
    ("patti", "patricia"),
    ("patty", "patricia"),
    ("peggy", "margaret"),
    ("penny", "penelope"),
    ("pete", "peter"),
    ("phil", "philip"),
    ("phillip", "philip"),
    ("polly", "mary"),
    ("randy", "randall"),
    ("ray", "raymond"),
    ("reggie", "reginald"),
    ("rich", "richard"),
    ("richie", "richard"),
    ("rick", "richard"),
    ("ricky", "richard"),
    ("rob", "robert"),
    ("robbie", "robert"),
    ("robby", "robert"),
    ("ron", "ronald"),
    ("ronnie", "ronald"),
    ("russ", "russell"),
    ("sadie", "sarah"),
    ("sally", "sarah"),
    ("sam", "samuel"),
    ("sammy", "samuel"),
    ("sandy", "sandra"),
    ("sophie", "sophia"),
    ("stan", "stanley"),
    ("steph", "stephanie"),
    ("stephen", "steven"),
    ("steve", "steven"),
    ("stevie", "steven"),
    ("sue", "susan"),
    ("susie", "susan"),
    ("suzie", "susan"),
    ("suzy", "susan"),
    ("tabby", "tabitha"),
    ("tasha", "natasha"),
    ("ted", "edward"),
    ("teddy", "edward"),
    ("theo", "theodore"),
    ("theresa", "teresa"),
    ("thom", "thomas"),
    ("tilly", "matilda"),
    ("tim", "timothy"),
    ("timmy", "timothy"),
    ("tina", "christina"),
    ("toby", "tobias"),
    ("tom", "thomas"),
    ("tommy", "thomas"),
    ("tony", "anthony"),
    ("tori", "victoria"),
    ("tricia", "patricia"),
    ("trish", "patricia"),
    ("val", "valerie"),
    ("vic", "victor"),
    ("vicki", "victoria"),
    ("vicky", "victoria"),
    ("vince", "vincent"),
    ("vinny", "vincent"),
    ("wally", "walter"),
    ("walt", "walter"),
    ("wes", "wesley"),
    ("will", "william"),
    ("willie", "william"),
    ("willy", "william"),
    ("winnie", "winifred"),
    ("xander", "alexander"),
    ("zach", "zachary"),
    ("zack", "zachary"),
    ("zak", "zachary"),
    ("zeke", "ezekiel"),
];

/// What a nickname also stands for, beside the name [`NICKNAMES`] resolves it to: "alex" is
/// most often Alexander, and also Alexandra; "sasha" is either. Sorted by nickname, then name,
/// for the reader (checked by a test). Used to tell whether two given names can be one person's
/// ([`related_given_names`]), never to resolve a name to one canonical form.
const ALSO: &[(&str, &str)] = &[
    ("abbie", "abbey"),
    ("al", "alan"),
    ("al", "alfred"),
    ("alec", "alexandra"),
    ("alex", "alexandra"),
    ("alex", "alexis"),
    ("alfie", "alfred"),
    ("ali", "alice"),
    ("ali", "alison"),
    ("allie", "alexandra"),
    ("allie", "alice"),
    ("andy", "andrea"),
    ("annie", "ann"),
    ("annie", "anna"),
    ("bert", "albert"),
    ("bert", "herbert"),
    ("bert", "robert"),
    ("bertie", "albert"),
    ("bertie", "herbert"),
    ("billie", "william"),
    ("cassie", "cassandra"),
    ("charlie", "charlotte"),
    ("chris", "christina"),
    ("chris", "christine"),
    ("chrissy", "christine"),
    ("dani", "danielle"),
    ("danny", "danielle"),
    ("deb", "debra"),
    ("dee", "deborah"),
    ("dee", "diana"),
    ("dolly", "dorothy"),
    ("ella", "eleanor"),
    ("ellie", "elizabeth"),
    ("ellie", "ellen"),
    ("elsie", "elizabeth"),
    ("fran", "francis"),
    ("frankie", "frances"),
    ("freddie", "alfred"),
    ("gabby", "gabriella"),
    ("gabby", "gabrielle"),
    ("gerry", "geraldine"),
    ("hal", "harold"),
    ("hal", "henry"),
    ("jack", "jackson"),
    ("jack", "john"),
    ("jackie", "jack"),
    ("jackie", "john"),
    ("jo", "joanna"),
    ("jo", "joanne"),
    ("jo", "josephine"),
    ("jodie", "judith"),
    ("joey", "josephine"),
    ("johnny", "jonathan"),
    ("kit", "christopher"),
    ("kit", "katherine"),
    ("lexi", "alexandra"),
    ("lexie", "alexandra"),
    ("lou", "louise"),
    ("lucy", "lucille"),
    ("maddie", "madison"),
    ("max", "maximilian"),
    ("max", "maxwell"),
    ("mel", "melanie"),
    ("mel", "melissa"),
    ("mike", "mikhail"),
    ("molly", "mary"),
    ("nell", "eleanor"),
    ("nell", "helen"),
    ("nellie", "eleanor"),
    ("nellie", "helen"),
    ("nicky", "nicole"),
    ("nikki", "nicola"),
    ("pat", "patrick"),
    ("patsy", "martha"),
    ("peggy", "marguerite"),
    ("rick", "eric"),
    ("rick", "frederick"),
    ("ricky", "eric"),
    ("ricky", "frederick"),
    ("ron", "aaron"),
    ("ronnie", "veronica"),
    ("rosie", "rosemary"),
    ("sam", "samantha"),
    ("sammy", "samantha"),
    ("sandy", "alexander"),
    ("sandy", "alexandra"),
    ("sasha", "alexander"),
    ("sasha", "alexandra"),
    ("steph", "stephen"),
    ("stevie", "stephanie"),
    ("sue", "suzanne"),
    ("tash", "natasha"),
    ("terry", "terence"),
    ("terry", "teresa"),
    ("tess", "teresa"),
    ("tessa", "teresa"),
    ("tina", "christine"),
    ("tony", "antonia"),
    ("tony", "antonio"),
    ("val", "valentine"),
    ("vicky", "victor"),
    ("will", "wilfred"),
    ("xander", "alexandra"),
];

/// Whether two different given names can be one person's: one is a nickname of the other, or
/// both are nicknames of one name ("sasha" and "alexandra", "alex" and "sasha", "bob" and
/// "robbie"), in either table. Folded names as `PersonName` produces.
pub fn related_given_names(a: &str, b: &str) -> bool {
    let of_b: &[&str] = MEANINGS.get(b).map_or(&[], Vec::as_slice);
    meanings(a).any(|meant| meant == b || of_b.contains(&meant))
}

/// The name itself and every name it is a nickname for (a folded name: scoring calls this on
/// millions of pairs, so it neither folds nor allocates, and most names are in no table).
fn meanings(name: &str) -> impl Iterator<Item = &str> {
    std::iter::once(name).chain(MEANINGS.get(name).into_iter().flatten().copied())
}

/// Every nickname of both tables with the names it stands for, the main one first.
static MEANINGS: std::sync::LazyLock<FxHashMap<&'static str, Vec<&'static str>>> =
    std::sync::LazyLock::new(|| {
        let mut meanings: FxHashMap<&'static str, Vec<&'static str>> = FxHashMap::default();
        for (nick, meant) in NICKNAMES.iter().chain(ALSO) {
            meanings.entry(nick).or_default().push(meant);
        }
        meanings
    });

/// The canonical given name for a known nickname or spelling variant ("bobby" -> "robert"),
/// or `None` when `given` is not one (canonical names themselves included). Expects a
/// folded name as `PersonName` produces; other input is folded the cheap way (ASCII case).
pub fn canonical_nickname(given: &str) -> Option<&'static str> {
    let key = given.trim().to_ascii_lowercase();
    NICKNAMES
        .binary_search_by(|(nick, _)| (*nick).cmp(key.as_str()))
        .ok()
        .map(|index| NICKNAMES[index].1)
}

/// Whether some nickname in the table stands for this (canonical) given name ("robert": yes).
pub fn has_nicknames(name: &str) -> bool {
    let key = name.trim().to_ascii_lowercase();
    NICKNAMES.iter().any(|(_, canonical)| *canonical == key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_unique_and_large_enough() {
        assert!(
            NICKNAMES.windows(2).all(|w| w[0].0 < w[1].0),
            "sort the table"
        );
        assert!(NICKNAMES.len() >= 150, "{} entries", NICKNAMES.len());
    }

    #[test]
    fn other_meanings_are_sorted_unique_and_not_the_main_one() {
        assert!(ALSO.windows(2).all(|w| w[0] < w[1]), "sort the table");
        for (nick, meant) in ALSO {
            assert_ne!(
                canonical_nickname(nick),
                Some(*meant),
                "{nick} -> {meant} twice"
            );
            assert_ne!(nick, meant);
        }
    }

    #[test]
    fn names_one_person_can_go_by_are_related_both_ways() {
        let related = [
            ("sasha", "alexandra"),
            ("sasha", "alexander"),
            ("alex", "alexandra"),
            ("alex", "sasha"),
            ("bob", "robbie"),
            ("bob", "robert"),
            ("jack", "john"),
            ("sam", "samantha"),
            ("chris", "christine"),
            ("liz", "betty"),
        ];
        for (a, b) in related {
            assert!(related_given_names(a, b), "{a} / {b}");
            assert!(related_given_names(b, a), "{b} / {a}");
        }
        let unrelated = [
            ("alexander", "alexandra"),
            ("samuel", "samantha"),
            ("sasha", "samantha"),
            ("john", "jonathan"),
            ("robert", "roberta"),
            ("mary", "maria"),
            ("bob", "sam"),
        ];
        for (a, b) in unrelated {
            assert!(!related_given_names(a, b), "{a} / {b}");
        }
    }

    #[test]
    fn canonical_names_are_never_nicknames_themselves() {
        // Otherwise resolution would depend on how many times it is applied.
        for (nick, canonical) in NICKNAMES {
            assert_eq!(canonical_nickname(canonical), None, "{nick} -> {canonical}");
            assert_ne!(nick, canonical);
        }
    }

    #[test]
    fn common_nicknames_resolve() {
        let cases = [
            ("bob", "robert"),
            ("rob", "robert"),
            ("robbie", "robert"),
            ("bobby", "robert"),
            ("bill", "william"),
            ("will", "william"),
            ("billy", "william"),
            ("liam", "william"),
            ("liz", "elizabeth"),
            ("beth", "elizabeth"),
            ("betty", "elizabeth"),
            ("eliza", "elizabeth"),
            ("lizzie", "elizabeth"),
            ("kate", "katherine"),
            ("katie", "katherine"),
            ("cathy", "katherine"),
            ("jim", "james"),
            ("jimmy", "james"),
            ("mike", "michael"),
            ("dick", "richard"),
            ("rick", "richard"),
            ("peggy", "margaret"),
            ("maggie", "margaret"),
            ("tony", "anthony"),
            ("chris", "christopher"),
            ("alex", "alexander"),
            ("sam", "samuel"),
            ("Bob", "robert"),
        ];
        for (nick, expected) in cases {
            assert_eq!(
                canonical_nickname(nick),
                Some(expected),
                "nickname {nick:?}"
            );
        }
    }

    #[test]
    fn unknown_and_canonical_names_have_no_nickname_mapping() {
        for name in ["robert", "zelda", "", "bobx"] {
            assert_eq!(canonical_nickname(name), None, "name {name:?}");
        }
    }
}
