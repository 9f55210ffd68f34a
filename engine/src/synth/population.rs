//! The population sampled from: US surnames with census frequencies and a syllable-built
//! long tail, given names by popularity, nicknames, cities with their ZIP prefixes and area
//! codes, street names, and mail providers. Data about a population, not rules any
//! normalizer may rely on.

/// Census-style counts per 100,000 people for the most common US surnames (2010 census,
/// rounded); everything else comes from the long tail below.
#[rustfmt::skip]
pub(super) const SURNAMES: &[(&str, u32)] = &[
    ("Smith", 828), ("Johnson", 655), ("Williams", 550), ("Brown", 487), ("Jones", 483),
    ("Garcia", 395), ("Miller", 393), ("Davis", 381), ("Rodriguez", 353), ("Martinez", 344),
    ("Hernandez", 340), ("Lopez", 287), ("Gonzalez", 279), ("Wilson", 273), ("Anderson", 272),
    ("Thomas", 259), ("Taylor", 256), ("Moore", 246), ("Jackson", 241), ("Martin", 239),
    ("Lee", 229), ("Perez", 223), ("Thompson", 219), ("White", 218), ("Harris", 205),
    ("Sanchez", 201), ("Clark", 180), ("Ramirez", 179), ("Lewis", 172), ("Robinson", 170),
    ("Walker", 166), ("Young", 159), ("Allen", 157), ("King", 153), ("Wright", 152),
    ("Scott", 145), ("Torres", 141), ("Nguyen", 140), ("Hill", 138), ("Flores", 138),
    ("Green", 137), ("Adams", 136), ("Nelson", 135), ("Baker", 134), ("Hall", 127),
    ("Rivera", 122), ("Campbell", 120), ("Mitchell", 119), ("Carter", 118), ("Roberts", 117),
    ("Gomez", 115), ("Phillips", 113), ("Evans", 112), ("Turner", 111), ("Diaz", 111),
    ("Parker", 110), ("Cruz", 108), ("Edwards", 108), ("Collins", 106), ("Reyes", 106),
    ("Stewart", 105), ("Morris", 102), ("Morales", 100), ("Murphy", 100), ("Cook", 99),
    ("Rogers", 99), ("Gutierrez", 98), ("Ortiz", 97), ("Morgan", 97), ("Cooper", 96),
    ("Peterson", 95), ("Bailey", 94), ("Reed", 94), ("Kelly", 92), ("Howard", 92),
    ("Ramos", 91), ("Kim", 90), ("Cox", 90), ("Ward", 89), ("Richardson", 88),
    ("Watson", 87), ("Brooks", 87), ("Chavez", 87), ("Wood", 86), ("James", 86),
    ("Bennett", 85), ("Gray", 85), ("Mendoza", 84), ("Ruiz", 84), ("Hughes", 84),
    ("Price", 83), ("Alvarez", 83), ("Castillo", 82), ("Sanders", 82), ("Patel", 81),
    ("Myers", 80), ("Long", 79), ("Ross", 79), ("Foster", 79), ("Jimenez", 78),
    ("Powell", 77), ("Jenkins", 77), ("Perry", 76), ("Russell", 76), ("Sullivan", 76),
    ("Bell", 75), ("Coleman", 75), ("Butler", 74), ("Henderson", 74), ("Barnes", 74),
    ("Gonzales", 74), ("Fisher", 71), ("Vasquez", 71), ("Simmons", 70), ("Romero", 70),
    ("Jordan", 70), ("Patterson", 69), ("Alexander", 69), ("Hamilton", 69), ("Graham", 68),
    ("Reynolds", 68), ("Griffin", 68), ("Wallace", 67), ("Moreno", 67), ("West", 67),
    ("Cole", 66), ("Hayes", 66), ("Bryant", 65), ("Herrera", 65), ("Gibson", 64),
    ("Ellis", 64), ("Tran", 64), ("Medina", 64), ("Aguilar", 63), ("Stevens", 63),
    ("Murray", 63), ("Ford", 63), ("Castro", 62), ("Marshall", 62), ("Owens", 62),
    ("Harrison", 62), ("Fernandez", 61), ("McDonald", 61), ("Woods", 60), ("Washington", 60),
    ("Kennedy", 60), ("Wells", 59), ("Vargas", 59), ("Henry", 59), ("Chen", 59),
    ("Freeman", 59), ("Webb", 58), ("Tucker", 58), ("Guzman", 58), ("Burns", 57),
    ("Crawford", 57), ("Olson", 57), ("Simpson", 57), ("Porter", 56), ("Hunter", 56),
    ("Gordon", 56), ("Mendez", 56), ("Silva", 55), ("Shaw", 55), ("Snyder", 55),
    ("Mason", 55), ("Dixon", 54), ("Munoz", 54), ("Hunt", 54), ("Hicks", 54),
    ("Holmes", 53), ("Palmer", 53), ("Wagner", 53), ("Black", 53), ("Robertson", 52),
    ("Boyd", 52), ("Rose", 52), ("Stone", 52), ("Salazar", 52), ("Fox", 51),
    ("Warren", 51), ("Mills", 51), ("Meyer", 51), ("Rice", 50), ("Schmidt", 50),
    ("Garza", 50), ("Daniels", 50), ("Ferguson", 50), ("Nichols", 50), ("Stephens", 49),
    ("Soto", 49), ("Weaver", 49), ("Ryan", 49), ("Gardner", 49), ("Payne", 49),
    ("Grant", 48), ("Dunn", 48), ("Kelley", 48), ("Spencer", 48), ("Hawkins", 48),
    ("Arnold", 47), ("Pierce", 47), ("Vazquez", 47), ("Hansen", 47), ("Peters", 47),
    ("Santos", 47), ("Hart", 46), ("Bradley", 46), ("Knight", 46), ("Elliott", 46),
    ("Cunningham", 46), ("Duncan", 46), ("Armstrong", 46), ("Hudson", 45), ("Carroll", 45),
    ("Lane", 45), ("Riley", 45), ("Andrews", 45), ("Alvarado", 45), ("Ray", 45),
    ("Delgado", 45), ("Berry", 45), ("Perkins", 44), ("Hoffman", 44), ("Johnston", 44),
    ("Matthews", 44), ("Pena", 44), ("Richards", 44), ("Contreras", 44), ("Willis", 44),
    ("Carpenter", 44), ("Lawrence", 43), ("Sandoval", 43), ("Guerrero", 43), ("George", 43),
    ("Chapman", 43), ("Rios", 43), ("Estrada", 43), ("Ortega", 43), ("Watkins", 43),
    ("Greene", 43), ("Nunez", 42), ("Wheeler", 42), ("Valdez", 42), ("Harper", 42),
    ("Burke", 42), ("Larson", 42), ("Santiago", 42), ("Maldonado", 42), ("Morrison", 42),
    ("Franklin", 41), ("Carlson", 41), ("Austin", 41), ("Dominguez", 41), ("Carr", 41),
    ("Lawson", 41), ("Jacobs", 41), ("O'Brien", 40), ("Lynch", 40), ("Singh", 40),
    ("Vega", 40), ("Bishop", 40), ("Montgomery", 40), ("Oliver", 40), ("Jensen", 40),
    ("Harvey", 40), ("Williamson", 40), ("Gilbert", 40), ("Dean", 40), ("Sims", 40),
    ("Espinoza", 40), ("Howell", 39), ("Li", 39), ("Wong", 39), ("Reid", 39),
    ("Hanson", 39), ("Le", 39), ("McCoy", 39), ("Garrett", 39), ("Burton", 39),
    ("Fuller", 39), ("Wang", 39), ("Weber", 39), ("Welch", 39), ("Rojas", 39),
    ("Lucas", 38), ("Marquez", 38), ("Fields", 38), ("Park", 38), ("Yang", 38),
    ("Little", 38), ("Banks", 38), ("Padilla", 38), ("Day", 38), ("Walsh", 38),
    ("Bowman", 37), ("Schultz", 37), ("Luna", 37), ("Fowler", 37), ("Mejia", 37),
    ("Davidson", 37), ("Acosta", 37), ("Brewer", 37), ("May", 37), ("Holland", 37),
    ("Juarez", 37), ("Newman", 37), ("Pearson", 37), ("Curtis", 37), ("Cortez", 37),
    ("Douglas", 37), ("Schneider", 37), ("Joseph", 36), ("Barrett", 36), ("Navarro", 36),
    ("Figueroa", 36), ("Keller", 36), ("Avila", 36), ("Wade", 36), ("Molina", 36),
    ("Stanley", 36), ("Hopkins", 36), ("Campos", 36), ("Barnett", 36), ("Bates", 36),
    ("Chambers", 36), ("Caldwell", 36), ("Beck", 35), ("Lambert", 35), ("Miranda", 35),
    ("Byrd", 35), ("Craig", 35), ("Ayala", 35), ("Lowe", 35), ("Frazier", 35),
    ("Powers", 35), ("Neal", 35), ("Leonard", 35), ("Gregory", 35), ("Carrillo", 35),
    ("Sutton", 35), ("Fleming", 35), ("Rhodes", 35), ("Shelton", 35), ("Schwartz", 35),
    ("Norris", 35), ("Jennings", 35), ("Watts", 35), ("Duran", 35), ("Walters", 35),
    ("Cohen", 34), ("McDaniel", 34), ("Moran", 34), ("Parks", 34), ("Steele", 34),
    ("Vaughn", 34), ("Becker", 34), ("Holt", 34), ("DeLeon", 34), ("Barker", 34),
    ("Terry", 34), ("Hale", 34), ("Leon", 34), ("Hodges", 34), ("Zhang", 34),
];

/// The long tail: rarer surnames built from syllables ("Ash" + "" + "worth"), weighted by a
/// Zipf law that continues below the last census entry, so a few tail names recur and most
/// are rare. Together they hold about two thirds of the population, as the census tail does.
#[rustfmt::skip]
pub(super) const TAIL_PREFIXES: &[&str] = &[
    "Ash", "Black", "Brad", "Brook", "Cal", "Carl", "Church", "Cold", "Crom", "Dal", "Dun",
    "Ell", "Fair", "Farn", "Gar", "Glen", "Hal", "Hart", "Hol", "Kel", "Kings", "Lang", "Lind",
    "Mar", "Mel", "Mor", "North", "Ox", "Pem", "Ral", "Red", "Ros", "Rut", "Sel", "Shel",
    "Stan", "Sut", "Thorn", "Wal", "War", "Wes", "Whit", "Wil", "Wins", "Wood", "Ab", "Bel",
    "Cor", "Dor", "Fen",
];
pub(super) const TAIL_MIDDLES: &[&str] = &["", "er", "in", "ing", "el", "an", "et", "ow"];
#[rustfmt::skip]
pub(super) const TAIL_SUFFIXES: &[&str] = &[
    "by", "ton", "ford", "field", "worth", "ley", "well", "wood", "more", "land", "stead",
    "ham", "bridge", "brook", "dale", "ridge", "stone", "man", "son", "berg", "strom", "ski",
    "vich", "ini", "ez", "ard", "ett", "ock", "ier", "ick", "sen", "quist", "dorf", "holm",
    "hurst", "combe", "thwaite", "ney", "ow", "ach",
];
pub(super) const TAIL_LEN: usize = 50 * 8 * 40;

pub(super) fn surname_weights() -> Vec<f64> {
    let last = f64::from(SURNAMES.last().map_or(34, |s| s.1));
    let census = SURNAMES.len() as f64;
    SURNAMES
        .iter()
        .map(|(_, count)| f64::from(*count))
        .chain((0..TAIL_LEN).map(|k| last * census / (census + 1.0 + k as f64)))
        .collect()
}

/// The tail surname of rank `k`; ranks are scattered over the syllable grid (7919 is prime
/// to its size) so that frequent tail names do not all share a prefix.
pub(super) fn tail_surname(k: usize) -> String {
    let j = (k * 7919) % TAIL_LEN;
    let prefix = TAIL_PREFIXES[j % TAIL_PREFIXES.len()];
    let rest = j / TAIL_PREFIXES.len();
    let middle = TAIL_MIDDLES[rest % TAIL_MIDDLES.len()];
    let suffix = TAIL_SUFFIXES[rest / TAIL_MIDDLES.len()];
    format!("{prefix}{middle}{suffix}")
}

/// Given names by rough popularity among US adults (SSA); sampled with weight 1/(rank + 6).
#[rustfmt::skip]
pub(super) const MALE_NAMES: &[&str] = &[
    "James", "Michael", "Robert", "John", "David", "William", "Richard", "Joseph", "Thomas",
    "Christopher", "Charles", "Daniel", "Matthew", "Anthony", "Mark", "Donald", "Steven",
    "Andrew", "Paul", "Joshua", "Kenneth", "Kevin", "Brian", "Timothy", "Ronald", "George",
    "Jason", "Edward", "Jeffrey", "Ryan", "Jacob", "Nicholas", "Gary", "Eric", "Jonathan",
    "Stephen", "Larry", "Justin", "Scott", "Brandon", "Benjamin", "Samuel", "Gregory",
    "Alexander", "Patrick", "Frank", "Raymond", "Jack", "Dennis", "Jerry", "Tyler", "Aaron",
    "Jose", "Adam", "Nathan", "Henry", "Zachary", "Douglas", "Peter", "Kyle", "Noah", "Ethan",
    "Jeremy", "Christian", "Walter", "Keith", "Austin", "Roger", "Terry", "Sean", "Gerald",
    "Carl", "Dylan", "Harold", "Jordan", "Jesse", "Bryan", "Lawrence", "Arthur", "Gabriel",
    "Bruce", "Logan", "Albert", "Juan", "Elijah", "Wayne", "Randy", "Mason", "Vincent",
    "Liam", "Roy", "Caleb", "Bradley", "Russell", "Lucas", "Ralph", "Eugene", "Louis",
    "Philip", "Johnny", "Howard", "Fred", "Shawn", "Travis", "Aiden", "Carlos", "Luis",
    "Victor", "Martin", "Stanley", "Antonio", "Alan", "Jesus", "Luke", "Dale", "Curtis",
    "Craig", "Todd", "Chad", "Derek", "Marcus", "Allen", "Shane", "Cody", "Isaac", "Evan",
    "Seth", "Leonard", "Manuel", "Glenn", "Francisco", "Miguel", "Ian", "Mario", "Edwin",
    "Clarence", "Earl", "Barry", "Ricardo", "Bernard", "Alejandro", "Hector", "Oscar",
    "Jorge", "Troy", "Leroy", "Javier", "Dustin", "Joel", "Derrick", "Erik", "Franklin",
    "Grant", "Herbert", "Jared", "Melvin", "Nathaniel", "Norman", "Owen", "Pedro", "Ramon",
    "Roberto", "Rodney", "Ruben", "Sergio", "Spencer", "Theodore", "Tristan", "Wesley",
    "Xavier", "Connor", "Hunter", "Cameron", "Colton", "Dominic", "Julian", "Levi", "Carter",
    "Landon", "Miles", "Wyatt", "Ezra", "Hudson", "Asher", "Silas", "Everett", "Marvin",
    "Calvin", "Clifford", "Lloyd", "Gordon", "Warren", "Vernon", "Floyd", "Lewis", "Gilbert",
    "Leon", "Harvey", "Milton", "Malik", "Andre", "Darnell", "Terrence", "Cedric", "Reginald",
    "Tyrone", "Jamal", "Omar", "Ahmed", "Mohammed", "Ali", "Hassan", "Raj", "Arjun", "Vikram",
    "Wei", "Hiroshi", "Kenji", "Minh", "Sanjay", "Tuan", "Frederick", "Jerome", "Nelson",
    "Marshall", "Byron", "Clayton", "Desmond", "Elliot", "Felix", "Garrett", "Ivan", "Kurt",
];

#[rustfmt::skip]
pub(super) const FEMALE_NAMES: &[&str] = &[
    "Mary", "Patricia", "Jennifer", "Linda", "Elizabeth", "Barbara", "Susan", "Jessica",
    "Sarah", "Karen", "Lisa", "Nancy", "Betty", "Sandra", "Margaret", "Ashley", "Kimberly",
    "Emily", "Donna", "Michelle", "Carol", "Amanda", "Melissa", "Deborah", "Stephanie",
    "Dorothy", "Rebecca", "Sharon", "Laura", "Cynthia", "Amy", "Kathleen", "Angela",
    "Shirley", "Brenda", "Emma", "Anna", "Pamela", "Nicole", "Samantha", "Katherine",
    "Christine", "Helen", "Debra", "Rachel", "Carolyn", "Janet", "Maria", "Catherine",
    "Heather", "Diane", "Olivia", "Julie", "Joyce", "Victoria", "Ruth", "Virginia", "Lauren",
    "Kelly", "Christina", "Joan", "Evelyn", "Judith", "Andrea", "Hannah", "Megan", "Cheryl",
    "Jacqueline", "Martha", "Madison", "Teresa", "Gloria", "Sara", "Janice", "Ann", "Kathryn",
    "Abigail", "Sophia", "Frances", "Jean", "Alice", "Judy", "Isabella", "Julia", "Grace",
    "Amber", "Denise", "Danielle", "Marilyn", "Beverly", "Charlotte", "Natalie", "Theresa",
    "Diana", "Brittany", "Doris", "Kayla", "Alexis", "Lori", "Marie", "Tiffany", "Kristen",
    "Jasmine", "Erin", "Courtney", "Rose", "Vanessa", "Tammy", "Crystal", "Wendy", "Monica",
    "Sherry", "Dawn", "Leslie", "Allison", "Caroline", "Valerie", "Holly", "Ava", "Mia",
    "Chloe", "Ella", "Lily", "Zoe", "Aubrey", "Addison", "Natasha", "Rosa", "Ana", "Carmen",
    "Yolanda", "Lucia", "Guadalupe", "Alejandra", "Gabriela", "Veronica", "Adriana", "Elena",
    "Sofia", "Camila", "Valentina", "Priya", "Anjali", "Sunita", "Mei", "Ling", "Yuki", "Aiko",
    "Linh", "Mai", "Fatima", "Aisha", "Layla", "Noor", "Keisha", "Latoya", "Tanisha", "Ebony",
    "Imani", "Jada", "Destiny", "Tamara", "Regina", "Stacy", "Tracy", "Kristin", "Melanie",
    "Bethany", "Erica", "April", "Jill", "Paula", "Robin", "Rita", "Lorraine", "Florence",
    "Irene", "Ellen", "Sylvia", "Edna", "Josephine", "Esther", "Phyllis", "Lois", "Norma",
    "Anne", "Eleanor", "Audrey", "Claire", "Naomi", "Leah", "Ruby", "Stella", "Hazel",
    "Violet", "Aurora", "Savannah", "Brooklyn", "Penelope", "Nora", "Riley", "Harper",
    "Avery", "Kennedy", "Morgan", "Taylor", "Jordan", "Constance", "Alexandra",
    "Caitlin", "Colleen", "Deanna", "Gina", "Heidi", "Jenna", "Kara", "Lydia", "Miranda",
];

/// Formal given names and the nicknames copies may use instead; a nickname is used only if
/// `canonical_nickname` resolves it back to the formal name.
pub(super) const NICKNAMES: &[(&str, &[&str])] = &[
    ("robert", &["bob", "rob", "bobby", "robbie"]),
    ("william", &["bill", "will", "billy", "willie"]),
    ("james", &["jim", "jimmy", "jamie"]),
    ("michael", &["mike", "mikey"]),
    ("richard", &["rick", "dick", "rich", "richie"]),
    ("joseph", &["joe", "joey"]),
    ("thomas", &["tom", "tommy"]),
    ("christopher", &["chris"]),
    ("charles", &["charlie", "chuck"]),
    ("daniel", &["dan", "danny"]),
    ("matthew", &["matt"]),
    ("anthony", &["tony"]),
    ("steven", &["steve"]),
    ("stephen", &["steve"]),
    ("andrew", &["andy", "drew"]),
    ("joshua", &["josh"]),
    ("kenneth", &["ken", "kenny"]),
    ("timothy", &["tim", "timmy"]),
    ("ronald", &["ron", "ronnie"]),
    ("edward", &["ed", "eddie", "ted"]),
    ("jeffrey", &["jeff"]),
    ("nicholas", &["nick", "nicky"]),
    ("gregory", &["greg"]),
    ("alexander", &["alex", "alec"]),
    ("raymond", &["ray"]),
    ("samuel", &["sam", "sammy"]),
    ("benjamin", &["ben", "benny"]),
    ("jonathan", &["jon"]),
    ("gerald", &["jerry"]),
    ("lawrence", &["larry"]),
    ("douglas", &["doug"]),
    ("peter", &["pete"]),
    ("zachary", &["zach", "zack"]),
    ("jacob", &["jake"]),
    ("donald", &["don", "donnie"]),
    ("frederick", &["fred", "freddie"]),
    ("albert", &["al"]),
    ("arthur", &["art", "artie"]),
    ("henry", &["hank", "harry"]),
    ("walter", &["walt", "wally"]),
    ("leonard", &["len", "lenny"]),
    ("philip", &["phil"]),
    ("vincent", &["vince"]),
    ("theodore", &["ted", "teddy", "theo"]),
    ("elizabeth", &["liz", "beth", "betty", "lizzie"]),
    ("jennifer", &["jen", "jenny"]),
    ("patricia", &["pat", "patty", "trish"]),
    ("margaret", &["maggie", "meg", "peggy"]),
    ("katherine", &["kate", "katie", "kathy"]),
    ("kathleen", &["kathy"]),
    ("susan", &["sue", "susie"]),
    ("deborah", &["debbie", "deb"]),
    ("rebecca", &["becky", "becca"]),
    ("jessica", &["jess", "jessie"]),
    ("kimberly", &["kim"]),
    ("cynthia", &["cindy"]),
    ("victoria", &["vicky", "tori"]),
    ("christina", &["chrissy", "tina"]),
    ("abigail", &["abby", "abbie"]),
    ("pamela", &["pam"]),
    ("sandra", &["sandy"]),
    ("barbara", &["barb", "babs"]),
    ("dorothy", &["dot", "dottie"]),
    ("judith", &["judy"]),
    ("stephanie", &["steph"]),
    ("jacqueline", &["jackie"]),
    ("amanda", &["mandy"]),
    ("melissa", &["missy", "mel"]),
    ("allison", &["ally", "allie"]),
    ("angela", &["angie"]),
    ("caroline", &["carrie"]),
    ("constance", &["connie"]),
    ("samantha", &["sam", "sammie"]),
    ("alexandra", &["alex", "lexi"]),
];

pub(super) struct City {
    pub(super) name: &'static str,
    pub(super) state: &'static str,
    pub(super) state_name: &'static str,
    pub(super) zip3: &'static str,
    pub(super) area_codes: &'static [u16],
    /// Relative population, for sampling.
    pub(super) weight: u32,
}

const fn city(
    name: &'static str,
    state: &'static str,
    state_name: &'static str,
    zip3: &'static str,
    area_codes: &'static [u16],
    weight: u32,
) -> City {
    City {
        name,
        state,
        state_name,
        zip3,
        area_codes,
        weight,
    }
}

/// Cities with a real three-digit ZIP prefix and area codes that serve them.
pub(super) const CITIES: &[City] = &[
    city("New York", "NY", "New York", "100", &[212, 646, 917], 83),
    city(
        "Los Angeles",
        "CA",
        "California",
        "900",
        &[213, 310, 323],
        39,
    ),
    city("Chicago", "IL", "Illinois", "606", &[312, 773, 872], 27),
    city("Houston", "TX", "Texas", "770", &[713, 281, 832], 23),
    city("Phoenix", "AZ", "Arizona", "850", &[602, 480], 16),
    city("Philadelphia", "PA", "Pennsylvania", "191", &[215, 267], 16),
    city("San Antonio", "TX", "Texas", "782", &[210], 15),
    city("San Diego", "CA", "California", "921", &[619, 858], 14),
    city("Dallas", "TX", "Texas", "752", &[214, 469, 972], 13),
    city("Austin", "TX", "Texas", "787", &[512, 737], 10),
    city("San Jose", "CA", "California", "951", &[408, 669], 10),
    city("Jacksonville", "FL", "Florida", "322", &[904], 9),
    city("Fort Worth", "TX", "Texas", "761", &[817, 682], 9),
    city("Columbus", "OH", "Ohio", "432", &[614], 9),
    city("Charlotte", "NC", "North Carolina", "282", &[704, 980], 9),
    city("Indianapolis", "IN", "Indiana", "462", &[317], 9),
    city("San Francisco", "CA", "California", "941", &[415, 628], 8),
    city("Seattle", "WA", "Washington", "981", &[206], 7),
    city("Denver", "CO", "Colorado", "802", &[303, 720], 7),
    city("Washington", "DC", "District of Columbia", "200", &[202], 7),
    city("Boston", "MA", "Massachusetts", "021", &[617, 857], 7),
    city("Nashville", "TN", "Tennessee", "372", &[615], 7),
    city("Detroit", "MI", "Michigan", "482", &[313], 6),
    city("Portland", "OR", "Oregon", "972", &[503, 971], 6),
    city("Las Vegas", "NV", "Nevada", "891", &[702, 725], 6),
    city("Memphis", "TN", "Tennessee", "381", &[901], 6),
    city("Louisville", "KY", "Kentucky", "402", &[502], 6),
    city("Baltimore", "MD", "Maryland", "212", &[410, 443], 6),
    city("Milwaukee", "WI", "Wisconsin", "532", &[414], 6),
    city("Albuquerque", "NM", "New Mexico", "871", &[505], 5),
    city("Tucson", "AZ", "Arizona", "857", &[520], 5),
    city("Fresno", "CA", "California", "937", &[559], 5),
    city("Sacramento", "CA", "California", "958", &[916, 279], 5),
    city("Kansas City", "MO", "Missouri", "641", &[816], 5),
    city("Atlanta", "GA", "Georgia", "303", &[404, 470, 678], 5),
    city("Miami", "FL", "Florida", "331", &[305, 786], 4),
    city("Raleigh", "NC", "North Carolina", "276", &[919, 984], 5),
    city("Omaha", "NE", "Nebraska", "681", &[402], 5),
    city("Minneapolis", "MN", "Minnesota", "554", &[612], 4),
    city("Tulsa", "OK", "Oklahoma", "741", &[918], 4),
    city("Cleveland", "OH", "Ohio", "441", &[216], 4),
    city("Tampa", "FL", "Florida", "336", &[813], 4),
    city("New Orleans", "LA", "Louisiana", "701", &[504], 4),
    city("Pittsburgh", "PA", "Pennsylvania", "152", &[412], 3),
    city("Cincinnati", "OH", "Ohio", "452", &[513], 3),
    city("St. Louis", "MO", "Missouri", "631", &[314], 3),
    city("Salt Lake City", "UT", "Utah", "841", &[801, 385], 2),
    city("Honolulu", "HI", "Hawaii", "968", &[808], 3),
    city("Anchorage", "AK", "Alaska", "995", &[907], 3),
    city("Boise", "ID", "Idaho", "837", &[208], 2),
    city("Des Moines", "IA", "Iowa", "503", &[515], 2),
    city("Providence", "RI", "Rhode Island", "029", &[401], 2),
    city("Hartford", "CT", "Connecticut", "061", &[860], 1),
    city("Newark", "NJ", "New Jersey", "071", &[973, 862], 3),
    city("Buffalo", "NY", "New York", "142", &[716], 3),
    city("Richmond", "VA", "Virginia", "232", &[804], 2),
    city("Birmingham", "AL", "Alabama", "352", &[205], 2),
    city("Charleston", "SC", "South Carolina", "294", &[843], 2),
    city("Little Rock", "AR", "Arkansas", "722", &[501], 2),
    city("Madison", "WI", "Wisconsin", "537", &[608], 3),
    city("Orlando", "FL", "Florida", "328", &[407, 321], 3),
    city("Spokane", "WA", "Washington", "992", &[509], 2),
    city("Burlington", "VT", "Vermont", "054", &[802], 1),
    city("Portland", "ME", "Maine", "041", &[207], 1),
];

#[rustfmt::skip]
pub(super) const STREETS: &[&str] = &[
    "Main", "Oak", "Pine", "Maple", "Cedar", "Elm", "Washington", "Lake", "Hill", "Park",
    "Walnut", "Sunset", "Lincoln", "Jackson", "Church", "River", "Highland", "Spring",
    "Chestnut", "Willow", "Franklin", "Jefferson", "Madison", "Center", "Adams", "Forest",
    "Meadow", "Ridge", "Valley", "Cherry", "Dogwood", "Hickory", "Magnolia", "Sycamore",
    "Birch", "Aspen", "Laurel", "Poplar", "Spruce", "Woodland", "Lakeview", "Hillcrest",
    "Fairview", "College", "Mill", "Market", "Union", "Broad", "Water", "School", "Bridge",
    "Front", "High", "Prospect", "Grove", "Harrison", "Lee", "Monroe", "Orchard", "Railroad",
    "1st", "2nd", "3rd", "4th", "5th", "6th", "7th", "8th", "9th", "10th", "12th", "14th",
];

/// (spelled out, USPS abbreviation, weight).
pub(super) const STREET_SUFFIXES: &[(&str, &str, u32)] = &[
    ("Street", "St", 30),
    ("Avenue", "Ave", 20),
    ("Road", "Rd", 12),
    ("Drive", "Dr", 12),
    ("Lane", "Ln", 6),
    ("Boulevard", "Blvd", 4),
    ("Court", "Ct", 5),
    ("Place", "Pl", 3),
    ("Way", "Way", 3),
    ("Terrace", "Ter", 1),
    ("Circle", "Cir", 2),
    ("Parkway", "Pkwy", 1),
    ("Trail", "Trl", 1),
];

pub(super) const DIRECTIONS: &[(&str, &str)] =
    &[("North", "N"), ("South", "S"), ("East", "E"), ("West", "W")];

/// Mail providers by rough US market share; "company" picks a work domain.
pub(super) const PROVIDERS: &[(&str, u32)] = &[
    ("gmail.com", 38),
    ("yahoo.com", 14),
    ("outlook.com", 8),
    ("hotmail.com", 7),
    ("icloud.com", 8),
    ("aol.com", 3),
    ("comcast.net", 3),
    ("att.net", 2),
    ("msn.com", 1),
    ("me.com", 1),
    ("company", 15),
];

#[rustfmt::skip]
pub(super) const COMPANY_DOMAINS: &[&str] = &[
    "acmecorp.com", "globex.com", "initech.com", "hooli.com", "vandelay.com",
    "dundermifflin.com", "piedpiper.com", "massivedynamic.com", "wayneenterprises.com",
    "starkindustries.com", "umbrellacorp.com", "cyberdyne.com", "soylent.com", "tyrellcorp.com",
    "bluthcompany.com", "oceanicair.com", "monarchsolutions.com", "wonkaindustries.com",
    "gringotts.com", "aperturescience.com",
];

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::normalize::phone::{Phone, Region};

    #[test]
    fn every_area_code_in_the_city_table_gives_valid_numbers() {
        for city in CITIES {
            for area in city.area_codes {
                for exchange in [201u64, 555, 734, 999] {
                    let text = format!("({area}) {exchange}-1234");
                    let phone = Phone::parse(&text, Region::default())
                        .unwrap_or_else(|e| panic!("{text} ({}): {e}", city.name));
                    assert_eq!(phone.e164(), format!("+1{area}{exchange}1234"));
                }
            }
        }
    }

    #[test]
    fn tail_surnames_are_mostly_distinct_and_letters_only() {
        let names: HashSet<String> = (0..TAIL_LEN).map(tail_surname).collect();
        assert!(names.len() > TAIL_LEN * 9 / 10, "{}", names.len());
        assert!(
            names
                .iter()
                .all(|n| n.chars().all(|c| c.is_ascii_alphabetic()))
        );
    }

    #[test]
    fn census_surnames_hold_about_a_third_of_the_weight() {
        let weights = surname_weights();
        let census: f64 = weights[..SURNAMES.len()].iter().sum();
        let share = census / weights.iter().sum::<f64>();
        assert!((0.25..0.5).contains(&share), "{share}");
    }

    #[test]
    fn name_tables_have_no_duplicates() {
        for table in [MALE_NAMES, FEMALE_NAMES, STREETS] {
            let distinct: HashSet<&str> = table.iter().copied().collect();
            assert_eq!(distinct.len(), table.len());
        }
        let surnames: HashSet<&str> = SURNAMES.iter().map(|s| s.0).collect();
        assert_eq!(surnames.len(), SURNAMES.len());
    }
}
