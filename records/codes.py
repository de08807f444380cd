"""Observation codes: LOINC for the vital signs and the common lab tests, with default units
and adult reference ranges (used when the lab does not send its own)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class ObservationCode:
    code: str
    display: str
    unit: str
    low: Decimal | None = None
    high: Decimal | None = None


def _d(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


VITALS = {
    c.code: c
    for c in (
        ObservationCode("8480-6", "Systolic blood pressure", "mm[Hg]", _d("90"), _d("139")),
        ObservationCode("8462-4", "Diastolic blood pressure", "mm[Hg]", _d("60"), _d("89")),
        ObservationCode("8867-4", "Heart rate", "/min", _d("60"), _d("100")),
        ObservationCode("8310-5", "Body temperature", "Cel", _d("36.1"), _d("37.9")),
        ObservationCode("9279-1", "Respiratory rate", "/min", _d("12"), _d("20")),
        ObservationCode("59408-5", "Oxygen saturation (SpO2)", "%", _d("94"), _d("100")),
        ObservationCode("29463-7", "Body weight", "kg"),
        ObservationCode("8302-2", "Body height", "cm"),
        ObservationCode("39156-5", "Body mass index", "kg/m2", _d("18.5"), _d("24.9")),
    )
}

LABS = {
    c.code: c
    for c in (
        ObservationCode("718-7", "Haemoglobin", "g/dL", _d("12.0"), _d("17.5")),
        ObservationCode("6690-2", "White blood cells", "10*3/uL", _d("4.0"), _d("11.0")),
        ObservationCode("777-3", "Platelets", "10*3/uL", _d("150"), _d("400")),
        ObservationCode("2345-7", "Glucose", "mg/dL", _d("70"), _d("99")),
        ObservationCode("4548-4", "Haemoglobin A1c", "%", _d("4.0"), _d("5.6")),
        ObservationCode("2160-0", "Creatinine", "mg/dL", _d("0.6"), _d("1.3")),
        ObservationCode("2951-2", "Sodium", "mmol/L", _d("135"), _d("145")),
        ObservationCode("2823-3", "Potassium", "mmol/L", _d("3.5"), _d("5.1")),
        ObservationCode("2093-3", "Cholesterol, total", "mg/dL", None, _d("200")),
        ObservationCode("3016-3", "TSH", "m[IU]/L", _d("0.4"), _d("4.0")),
    )
}

ALL = {**VITALS, **LABS}
CHARTED_VITALS = ("8480-6", "8462-4", "8867-4", "29463-7")
