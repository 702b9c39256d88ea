"""A consortium's figures in pandas, decimals kept exact: never read through a float.

    python docs/examples/pandas_figures.py --api https://icc.example.org/api/v1/ \\
        --token <your token> --consortium sern --stage final --kpi 2.2

Reads ``measurements.csv`` (the whole filtered set in one file) with every column as text,
then the values as ``decimal.Decimal``; prints how many figures, and one KPI's value in
each city, exactly as the portal stores it.
"""

from __future__ import annotations

import argparse
from decimal import Decimal

import pandas


def read_figures(api: str, token: str, consortium: str, stage: str) -> pandas.DataFrame:
    url = f"{api}measurements.csv?consortium={consortium}&stage={stage}"
    frame = pandas.read_csv(
        url,
        storage_options={"Authorization": f"Token {token}"},
        dtype=str,  # every column as text: no float ever sees a value
        keep_default_na=False,
    )
    frame["value"] = frame["value"].map(lambda text: Decimal(text) if text else None)
    return frame


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--api", required=True, help="e.g. https://icc.example.org/api/v1/")
    parser.add_argument("--token", required=True)
    parser.add_argument("--consortium", default="sern")
    parser.add_argument("--stage", default="final")
    parser.add_argument("--kpi", default="2.2", help="a KPI code")
    args = parser.parse_args()
    frame = read_figures(args.api, args.token, args.consortium, args.stage)
    numbers = frame[frame["value"].notna()]
    print(f"{len(frame)} figures, {len(numbers)} with a number")
    for row in numbers[numbers["kpi_code"] == args.kpi].itertuples():
        print(f"{args.kpi} {row.city or args.consortium}: {row.value}")


if __name__ == "__main__":
    main()
