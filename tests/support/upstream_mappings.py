"""The original's configuration bundles as test inputs: every mapping file, a realistic input for
each, and the resolver for the xxllnc-zgw mappings, which call each other by numeric database id
(the id → file table is the one the conformance corpus documents in its ``real-*`` case notes)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

DATA = Path(__file__).parents[1] / "data"
CONFIGURATIONS = DATA / "upstream-configurations"
ZGW_MAPPINGS = CONFIGURATIONS / "xxllnc-zgw" / "mappings"
ALL_MAPPING_FILES = sorted(CONFIGURATIONS.glob("*/mappings/*.json"))


def numeric_ids_from_corpus() -> dict[str, str]:
    """``{"2": "xxllnc-v1-outcome-to-zgw-resultaat", ...}`` parsed from the conformance notes."""
    cases = json.loads((DATA / "conformance" / "mapping.json").read_text(encoding="utf-8"))["cases"]
    table: dict[str, str] = {}
    for case in cases:
        for number, slug in re.findall(r"(\d+)->([a-z0-9-]+)", case.get("note", "")):
            table[number] = slug
    return table


def zgw_resolver() -> Any:
    by_slug = {
        path.stem: json.loads(path.read_text(encoding="utf-8")) for path in ZGW_MAPPINGS.glob("*.json")
    }
    ids = numeric_ids_from_corpus()

    def resolve(reference: str) -> Mapping[str, Any] | None:
        return by_slug.get(ids.get(reference, reference))

    return resolve


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def xxllnc_case() -> dict[str, Any]:
    """A realistic xxllnc v1 case with its (already mapped) ZGW zaaktype and documents."""
    return {
        "reference": "7c1a0b1e-0000-4000-8000-000000000001",
        "bronorganisatie": "002220647",
        "instance": {
            "subject": "Aanvraag omgevingsvergunning",
            "subject_external": "Verbouwing Dorpsstraat 1",
            "date_of_registration": "2024-03-01T09:00:00Z",
            "date_target": "2024-04-12T00:00:00Z",
            "date_of_completion": None,
            "channel_of_contact": "email",
            "confidentiality": {"original": "Openbaar", "mapped": "openbaar"},
            "price": "125.00",
            "payment_status": "success",
            "stalled_until": None,
            "outcome": {"instance": {"name": "Verleend"}},
            "milestone": {"instance": {"date_modified": "2024-03-02T10:00:00Z", "phase_label": "Behandelen"}},
            "route": {
                "instance": {"role": {"instance": {"name": "Behandelaar", "description": "Behandelaar"}}}
            },
            "requestor": {
                "instance": {
                    "subject": {
                        "instance": {
                            "email_adress": "jan@example.org",
                            "firstname": "Jan",
                            "surname": "Jansen",
                            "personal_number": "999993653",
                        }
                    }
                }
            },
            "attributes": {"bouwkosten": ["125000"], "adres": [["Dorpsstraat 1"]]},
        },
        "zaaktype": {
            "resultaattypen": [{"toelichting": "Verleend", "_self": {"id": "rt-1"}}],
            "roltypen": [{"omschrijving": "Behandelaar", "_self": {"id": "rol-1"}}],
            "statustypen": [{"omschrijving": "Behandelen", "_self": {"id": "st-2"}}],
            "eigenschappen": [
                {"naam": "bouwkosten", "_self": {"id": "eig-1"}},
                {"naam": "adres", "_self": {"id": "eig-2"}},
            ],
        },
        "casetype": {
            "result": {
                "reference": "ct-1",
                "instance": {
                    "title": "Omgevingsvergunning",
                    "legacy": {"zaaktype_id": 42},
                    "properties": {
                        "lead_time_legal": {"weken": "8"},
                        "designation_of_confidentiality": "Openbaar",
                    },
                    "phases": [
                        {"seq": 1, "name": "Registreren", "fields": [{"label": "Geregistreerd", "help": ""}]}
                    ],
                    "results": [
                        {"type": "verleend", "label": "Verleend", "type_of_archiving": "Bewaren (B)"}
                    ],
                },
            }
        },
        "documents": {
            "result": {
                "instance": {
                    "rows": [
                        {
                            "instance": {
                                "name": "Aanvraag.pdf",
                                "number": 12,
                                "filename": "aanvraag.pdf",
                                "file": {
                                    "instance": {
                                        "date_created": "2024-03-01",
                                        "mimetype": "application/pdf",
                                        "size": "2048",
                                    }
                                },
                                "metadata": {"instance": {"trust_level": "Openbaar", "category": "Aanvraag"}},
                            }
                        }
                    ]
                }
            }
        },
    }


INPUTS: dict[str, tuple[dict[str, Any], bool]] = {
    "Mapping-RX Fundament Zaak to Publicatie-v0.0.2": (
        {
            "toelichting": "Besluit op Woo-verzoek",
            "eigenschappen": [
                {"naam": "Titel", "waarde": "Woo-besluit 2024-001"},
                {"naam": "Categorie", "waarde": "Woo-verzoeken en -besluiten"},
                {"naam": "Publicatiedatum", "waarde": "2024-02-01T12:00:00Z"},
            ],
            "zaakinformatieobjecten": [{"bestandsnaam": "besluit.pdf", "inhoud": "https://rx.example/doc/1"}],
        },
        False,
    ),
    "sharepoint-woo-verzoek-to-publications": (
        {
            "UniqueId": "sp-1",
            "d": {
                "woo_x005f_titel": "Woo-verzoek",
                "woo_x005f_beschrijving": "Beschrijving",
                "woo_x005f_samenvatting": "Samenvatting",
                "woo_x005f_categorie": "Woo-verzoeken en -besluiten",
                "woo_x005f_publicatiedatum": "2024-05-01T00:00:00Z",
                "vti_x005f_nexttolasttimemodified": "2024-05-02T08:00:00Z",
            },
            "fileUrls": [
                {
                    "Name": "besluit.pdf",
                    "d": {"document_x005f_label": "besluit"},
                    "__metadata": {"uri": "https://sp/f/1"},
                }
            ],
        },
        False,
    ),
    "publication-to-elastic": (
        {
            "titel": "Convenant <b>A</b>",
            "categorie": "Convenanten",
            "samenvatting": "S",
            "publicatiedatum": "2024-01-01",
        },
        False,
    ),
    "xxllnc-suite-to-publications": (
        {
            "identificatie": "ZAAK-1",
            "omschrijving": "Woo-verzoek over X",
            "zaaktypeomschrijving": "Woo-verzoek",
            "zaaktypecode": "B1873",
            "startdatum": "2024-01-10",
            "files": [{"titel": "Besluit", "bestandsnaam": "besluit.pdf", "inhoud": "https://suite/f/1"}],
        },
        False,
    ),
    "xxllnc-v1-case-to-zgw-zaak": (xxllnc_case(), False),
    "xxllnc-v1-casetype-to-zgw-zaaktype": (xxllnc_case()["casetype"]["result"], False),
    "xxllnc-v1-document-to-zgw-zaakinformatieobject": (
        {**xxllnc_case()["documents"]["result"]["instance"]["rows"][0], "caseId": "case-1"},
        False,
    ),
    "xxllnc-v1-field-to-zgw-eigenschap": (
        {"magic_string": "bouwkosten", "label": "Bouwkosten", "type": "number"},
        False,
    ),
    "xxllnc-v1-field-to-zgw-informatieobjecttype": (
        {"original_label": "Aanvraag", "publish_public": True},
        False,
    ),
    "xxllnc-v1-informatieobjecttype-to-zgw-informatieobjecttype": (
        {"original_label": "Besluit", "public": "openbaar"},
        False,
    ),
    "xxllnc-v1-milestone-to-zgw-status": (
        {
            "milestone": xxllnc_case()["instance"]["milestone"],
            "statustypen": xxllnc_case()["zaaktype"]["statustypen"],
        },
        False,
    ),
    "xxllnc-v1-outcome-to-zgw-resultaat": (
        {
            "outcome": {"instance": {"name": "Verleend"}},
            "resultaattypen": xxllnc_case()["zaaktype"]["resultaattypen"],
        },
        False,
    ),
    "xxllnc-v1-phase-to-zgw-statustype": (
        {"seq": 2, "name": "Behandelen", "fields": [{"label": "In behandeling", "help": "Wordt behandeld"}]},
        False,
    ),
    "xxllnc-v1-result-to-zgw-resultaattype": (
        {
            "type": "verleend",
            "label": "Verleend",
            "selection_list": "1.1",
            "selection_list_number": "1.1",
            "type_of_archiving": "Vernietigen",
            "period_of_preservation": "365",
        },
        False,
    ),
    "xxllnc-v1-role-to-zgw-roltype": (
        {"instance": {"name": "Behandelaar", "description": "Behandelt de zaak"}},
        False,
    ),
    "xxllnc-v1-rolerequestor-to-zgw-rol": (
        {
            "requestor": xxllnc_case()["instance"]["requestor"],
            "role": xxllnc_case()["instance"]["route"]["instance"]["role"],
            "roltypen": xxllnc_case()["zaaktype"]["roltypen"],
        },
        False,
    ),
    "xxllnc-v1-value-to-zgw-zaakeigenschap": (
        {
            "name": "bouwkosten",
            "value": ["125000"],
            "eigenschappen": xxllnc_case()["zaaktype"]["eigenschappen"],
        },
        False,
    ),
    "zgw-zaak-to-xxllnc-v1-case": (
        {
            "zaaktype": {"originId": "ct-1"},
            "zaakArrayObject": {
                "rollen": [{"betrokkeneIdentificatie": {"inpBsn": "999993653"}}],
                "verantwoordelijkeOrganisatie": "002220647",
            },
            "eigenschappen": [
                {
                    "waarde": "125000",
                    "eigenschap": {"naam": "bouwkosten", "specificatie": {"formaat": "getal"}},
                }
            ],
        },
        False,
    ),
    "zgw-zaakinformatieobject-to-xxllnc-file": (
        {
            "xxllncReferenceId": "f-1",
            "titel": "Besluit",
            "informatieobject": {
                "bestandsnaam": "besluit.pdf",
                "creatiedatum": "2024-01-01",
                "formaat": "application/pdf",
            },
        },
        False,
    ),
    "Mapping-Xxllnc Zaak to Publicatie-v0.0.3": (
        {
            "id": "case-9",
            "values": {
                "case.subject": "Woo-besluit",
                "attribute.woo_samenvatting": "Samenvatting",
                "attribute.woo_beschrijving": "Beschrijving",
                "attribute.woo_categorie": "Woo-verzoeken en -besluiten",
                "attribute.woo_publicatiedatum": "2024-02-01",
                "attribute.woo_publicatie": [{"filename": "besluit.pdf", "uuid": "u-1"}],
                "attribute.woo_inventarisatielijst": [],
                "attribute.woo_informatieverzoek": [],
                "attribute.woo_besluit": [],
            },
        },
        False,
    ),
}

# Upstream itself cannot run this one: it uses filters Twig does not have (strip_tags, preg_replace).

# Mappings whose templates use what the original's Twig lacks as well (saving them is refused).
FAILS_UPSTREAM_TOO = {"publication-to-elastic": "link"}
