"""Select the DC 311 rows near the downtown study area, byte for byte.

Run from this folder:
    python select_311.py /path/to/service_requests_dc311_2025-01-01_to_01-02_citywide.csv
Keeps the header and every data row whose LONGITUDE/LATITUDE fall in the study area's bounding
box widened by 0.01 degrees (about 1 km), as the original lines (no re-formatting).
"""

import csv
import io
import sys

BBOX = (-77.0550 - 0.01, 38.8908 - 0.01, -77.0074 + 0.01, 38.9156 + 0.01)


def main(src: str, dst: str = "service_requests_dc311_downtown.csv") -> None:
    """Write the selected rows of `src` to `dst`."""
    with open(src, encoding="utf-8", newline="") as f:
        text = f.read()
    lines = text.splitlines(keepends=True)
    header = next(csv.reader([lines[0]]))
    ilon, ilat = header.index("LONGITUDE"), header.index("LATITUDE")
    kept = [lines[0]]
    for raw, row in zip(lines[1:], csv.reader(io.StringIO("".join(lines[1:]))), strict=True):
        try:
            lon, lat = float(row[ilon]), float(row[ilat])
        except ValueError:
            continue
        if BBOX[0] <= lon <= BBOX[2] and BBOX[1] <= lat <= BBOX[3]:
            kept.append(raw)
    with open(dst, "w", encoding="utf-8", newline="") as f:
        f.write("".join(kept))


if __name__ == "__main__":
    main(*sys.argv[1:])
