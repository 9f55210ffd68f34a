#!/usr/bin/env python3
"""How often `spine normalize phone` agrees with libphonenumber (Google's, through its Python
port `phonenumbers`) on messy numbers as people and exports write them.

    pip install phonenumbers
    python3 scripts/bench/phone_agreement.py target/release/spine [--count 4000] [--seed 1] [--show 30]

Numbers are drawn from libphonenumber's own example numbers for each region, then written
the ways forms, spreadsheets and CRM exports write them: national and international formats,
dots and dashes, a label in front ("Phone:", "tel.", "mobile"), a trailing note, an extension,
"(0)" after the country code, the country code without "+", "00" and "011" prefixes, letters
for digits, full-width and Arabic-Indic digits. Agreement: both give the same E.164 number and
extension, or both refuse it. Disagreements are printed by kind.
"""
import argparse
import collections
import csv
import io
import random
import subprocess
import sys

import phonenumbers
from phonenumbers import PhoneNumberFormat, PhoneNumberType

REGIONS = ["US", "CA", "GB", "DE", "FR", "ES", "IT", "NL", "BR", "MX", "AR", "IN", "AU", "JP",
           "ZA", "NG", "SE", "PL", "CH", "IE"]
TYPES = [PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE, PhoneNumberType.TOLL_FREE]
LABELS = ["Phone: ", "phone ", "Tel. ", "tel: ", "ph ", "Mobile: ", "mob. ", "Cell ", "T: "]
KEYPAD = {d: letters for d, letters in
          zip("23456789", ["ABC", "DEF", "GHI", "JKL", "MNO", "PQRS", "TUV", "WXYZ"])}


def spellings(rng, number, region):
    national = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    international = phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
    e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    cc = str(number.country_code)
    nsn = phonenumbers.national_significant_number(number)
    yield "national", national
    yield "international", international
    yield "e164", e164
    yield "dots", national.replace(" ", ".").replace("-", ".")
    yield "label", rng.choice(LABELS) + rng.choice([national, international])
    yield "trailing note", rng.choice([national, international]) + rng.choice(
        [" (mobile)", " - home", " cell", " (work)"])
    yield "extension", rng.choice([national, international]) + rng.choice(
        [" ext 12", " x204", " ext. 7", ";ext=55", " #31"])
    yield "(0) after the code", f"+{cc} (0){nsn}"
    yield "code without +", f"{cc}{nsn}"
    yield "00 prefix", f"00 {cc} {nsn}"
    yield "011 prefix", f"011 {cc} {nsn}"
    if region in ("US", "CA"):
        # Vanity numbers: a toll-free code and a word for the subscriber number.
        word = rng.choice(["FLOWERS", "TAXICAB", "GOTJUNK", "CONTACT", "PLUMBER", "DENTIST"])
        code = rng.choice(["800", "888", "866", "877"])
        yield "letters", rng.choice([f"1-{code}-{word}", f"{code}{word}", f"({code}) {word}"])
    yield "full-width", national.translate(str.maketrans("0123456789+", "０１２３４５６７８９＋"))
    yield "arabic-indic", e164.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    yield "nonsense", rng.choice(["call me", "n/a", "none", "-", "123", "5pm tomorrow",
                                  "see email"])


def reference(raw, region):
    try:
        n = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return ("", "")
    if not phonenumbers.is_valid_number(n):
        return ("", "")
    return (phonenumbers.format_number(n, PhoneNumberFormat.E164), n.extension or "")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("spine")
    ap.add_argument("--count", type=int, default=4000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--show", type=int, default=30)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    cases = []
    while len(cases) < args.count:
        region = rng.choice(REGIONS)
        number = phonenumbers.example_number_for_type(region, rng.choice(TYPES))
        if number is None:
            continue
        # Another number of the same shape: the example with its last digits changed.
        nsn = phonenumbers.national_significant_number(number)
        tail = "".join(rng.choice("0123456789") for _ in range(min(3, len(nsn) - 4)))
        candidate = nsn[: len(nsn) - len(tail)] + tail
        try:
            number = phonenumbers.parse(candidate, region)
        except phonenumbers.NumberParseException:
            continue
        if not phonenumbers.is_valid_number(number):
            continue
        for kind, raw in spellings(rng, number, region):
            cases.append((region, kind, raw))
    cases = cases[: args.count]
    by_region = collections.defaultdict(list)
    for i, (region, kind, raw) in enumerate(cases):
        by_region[region].append(i)
    ours = {}
    for region, indices in by_region.items():
        text = "\n".join(cases[i][2] for i in indices) + "\n"
        out = subprocess.run([args.spine, "normalize", "phone", "--region", region],
                             input=text, capture_output=True, text=True, check=True).stdout
        rows = list(csv.reader(io.StringIO(out)))[1:]
        if len(rows) != len(indices):
            sys.exit(f"{region}: {len(indices)} numbers in, {len(rows)} rows out")
        for i, row in zip(indices, rows):
            normalized = row[1]
            number, _, ext = normalized.partition(";ext=")
            ours[i] = (number, ext)
    agree = 0
    misses = collections.defaultdict(list)
    for i, (region, kind, raw) in enumerate(cases):
        theirs = reference(raw, region)
        if ours[i] == theirs:
            agree += 1
        else:
            misses[kind].append((region, raw, theirs, ours[i]))
    print(f"agreement: {agree} of {len(cases)} ({100 * agree / len(cases):.2f}%)")
    for kind, rows in sorted(misses.items(), key=lambda kv: -len(kv[1])):
        print(f"  {kind}: {len(rows)} differ")
        for region, raw, theirs, mine in rows[: args.show]:
            print(f"    {region} {raw!r}: libphonenumber {theirs}, spine {mine}")


if __name__ == "__main__":
    main()
