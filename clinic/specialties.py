"""The clinic's medical specialties: one list shared by providers and the symptom checker.

Pure Python on purpose, so that ``diagnosis.ml`` can validate its knowledge base against it
without touching the ORM.
"""

from __future__ import annotations

SPECIALTIES: dict[str, str] = {
    "general_practice": "General practice",
    "pediatrics": "Paediatrics",
    "internal_medicine": "Internal medicine",
    "cardiology": "Cardiology",
    "pulmonology": "Respiratory medicine",
    "gastroenterology": "Gastroenterology",
    "neurology": "Neurology",
    "dermatology": "Dermatology",
    "endocrinology": "Endocrinology",
    "obstetrics_gynecology": "Obstetrics and gynaecology",
    "urology": "Urology",
    "nephrology": "Nephrology",
    "ent": "Ear, nose and throat",
    "ophthalmology": "Ophthalmology",
    "psychiatry": "Psychiatry",
    "orthopedics": "Orthopaedics",
    "rheumatology": "Rheumatology",
    "infectious_disease": "Infectious diseases",
    "hematology": "Haematology",
    "oncology": "Oncology",
    "allergy_immunology": "Allergy and immunology",
    "emergency_medicine": "Emergency medicine",
    "general_surgery": "General surgery",
    "dentistry": "Dentistry",
}

# When no provider of a condition's specialty works at the clinic, patients are offered this one.
FALLBACK_SPECIALTY = "general_practice"
