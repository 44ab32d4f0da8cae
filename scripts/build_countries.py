"""Build app/data/countries.csv from pycountry's ISO 3166-1 list plus Kosovo, with EU and NATO flags.

Run once by hand (pip install pycountry); the CSV is committed and is what the app reads.
"""
import csv
from pathlib import Path

import pycountry

EU = "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE".split()
NATO = ("AL BE BG CA HR CZ DK EE FI FR DE GR HU IS IT LV LT LU ME NL MK NO PL PT RO SK SI ES SE TR GB US").split()
# Short names people actually write, where ISO's name is formal.
COMMON = {
    "BO": "Bolivia", "CD": "DR Congo", "CG": "Congo", "FM": "Micronesia", "GB": "United Kingdom",
    "IR": "Iran", "KP": "North Korea", "KR": "South Korea", "LA": "Laos", "MD": "Moldova",
    "PS": "Palestine", "RU": "Russia", "SY": "Syria", "TW": "Taiwan", "TZ": "Tanzania",
    "US": "United States", "VE": "Venezuela", "VN": "Vietnam", "BN": "Brunei", "CZ": "Czechia",
    "TR": "Türkiye", "VA": "Vatican City", "MK": "North Macedonia", "SX": "Sint Maarten",
    "BQ": "Caribbean Netherlands", "MF": "Saint Martin", "FK": "Falkland Islands",
}


def main() -> None:
    rows = []
    for c in pycountry.countries:
        name = COMMON.get(c.alpha_2) or getattr(c, "common_name", None) or c.name
        rows.append((c.alpha_2, c.alpha_3, c.numeric, name, c.alpha_2 in EU, c.alpha_2 in NATO))
    rows.append(("XK", "XKX", "", "Kosovo", False, False))  # not in ISO 3166-1; user-assigned code in wide use
    rows.sort()
    out = Path(__file__).resolve().parent.parent / "app" / "data" / "countries.csv"
    with out.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["iso2", "iso3", "numeric", "name", "eu", "nato"])
        for iso2, iso3, num, name, eu, nato in rows:
            w.writerow([iso2, iso3, num, name, int(eu), int(nato)])
    print(f"wrote {len(rows)} countries to {out}")


if __name__ == "__main__":
    main()
