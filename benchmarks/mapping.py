"""Mapping engine throughput, side by side with two baselines, on three real mappings of the
original's configuration bundles (read from ``tests/data/upstream-configurations``):

* ``xxllnc-v1-case-to-zgw-zaak`` (12 sub-mappings) on synthetic xxllnc v1 cases, beside a
  hand-written Python function doing the same transformation and the interpreter; then one case
  mapped again and again (a forced re-synchronization: what the memo of ``mapping.memo`` does at best);
* the same mapping on the conformance corpus' real xxllnc case, a small one, mapped again and again
  (beside the same two baselines);
* ``xxllnc-suite-to-publications`` and ``sharepoint-woo-verzoek-to-publications`` beside the
  interpreter.

    python benchmarks/mapping.py [--cases 5000] [--rounds 3]

The mappings are given as the store returns them (id, version, updated) and run as a
synchronization runs them (``stored=True``: known by id and version), so the engine compiles each
once. Outputs are checked equal first (engine = interpreter exactly, hand-written = engine up
to PHP's empty-array shape); the rounds then alternate the implementations and the best round of
each counts, so a busy machine slows all of them alike. Every round times a fresh engine.
"""

from __future__ import annotations

import argparse
import functools
import json
import random
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from openconnector_core.mapping import MappingEngine  # noqa: E402
from openconnector_core.mapping.interpreter import MappingInterpreter  # noqa: E402
from openconnector_core.php import dates  # noqa: E402

CONFIGURATIONS = ROOT / "tests" / "data" / "upstream-configurations"
MAPPINGS = CONFIGURATIONS / "xxllnc-zgw" / "mappings"
# The mappings call each other by database id; this is the table the conformance corpus documents.
NUMERIC_IDS = {
    "1": "zgw-zaakinformatieobject-to-xxllnc-file",
    "2": "xxllnc-v1-outcome-to-zgw-resultaat",
    "3": "xxllnc-v1-rolerequestor-to-zgw-rol",
    "4": "xxllnc-v1-milestone-to-zgw-status",
    "5": "xxllnc-v1-casetype-to-zgw-zaaktype",
    "6": "xxllnc-v1-value-to-zgw-zaakeigenschap",
    "7": "xxllnc-v1-document-to-zgw-zaakinformatieobject",
    "8": "xxllnc-v1-phase-to-zgw-statustype",
    "9": "xxllnc-v1-field-to-zgw-informatieobjecttype",
    "10": "xxllnc-v1-field-to-zgw-eigenschap",
    "11": "xxllnc-v1-role-to-zgw-roltype",
    "12": "xxllnc-v1-result-to-zgw-resultaattype",
}


CORPUS = ROOT / "tests" / "data" / "conformance" / "mapping.json"
CORPUS_CASE = "real-xxllnc-case-to-zaak-stalled"


def corpus_case() -> dict[str, Any]:
    """The conformance corpus' real xxllnc case: its mapping inline, its sub-mappings by slug, a small
    input (no case type, documents or milestone: what every run of the mapping costs)."""
    cases = json.loads(CORPUS.read_text(encoding="utf-8"))["cases"]
    found: dict[str, Any] = next(case for case in cases if case["id"] == CORPUS_CASE)
    return found


# --------------------------------------------------------------------------- synthetic data

SUBJECTS = [
    "Aanvraag omgevingsvergunning",
    "Melding openbare ruimte",
    "Bezwaar WOZ",
    "Woo-verzoek",
    "Subsidie",
]
PHASES = ["Registreren", "Behandelen", "Besluiten", "Afhandelen"]


def synthetic_case(rng: random.Random, index: int) -> dict[str, Any]:
    phase_label = rng.choice(PHASES)
    outcome = rng.choice(["Verleend", "Geweigerd", None])
    attributes = {f"kenmerk_{n}": [str(rng.randint(1, 10_000))] for n in range(rng.randint(1, 4))}
    if rng.random() < 0.3:
        attributes["adres"] = [[f"Dorpsstraat {rng.randint(1, 200)}"]]
    documents = [
        {
            "reference": f"doc-{index}-{n}",
            "instance": {
                "name": f"Document {n}.pdf",
                "number": n + 1,
                "filename": f"document-{n}.pdf",
                "file": {
                    "instance": {
                        "date_created": "2024-03-01",
                        "date_modified": "2024-03-02",
                        "mimetype": "application/pdf",
                        "size": str(rng.randint(1_000, 900_000)),
                    }
                },
                "metadata": {
                    "instance": {"trust_level": rng.choice(["Openbaar", "Intern"]), "category": "Aanvraag"}
                },
            },
        }
        for n in range(rng.randint(0, 3))
    ]
    return {
        "reference": f"case-{index:06d}",
        "bronorganisatie": "002220647",
        "instance": {
            "subject": rng.choice(SUBJECTS),
            "subject_external": f"Zaak {index}",
            "date_of_registration": "2024-03-01T09:00:00Z",
            "date_target": "2024-04-12T00:00:00Z",
            "date_of_completion": None,
            "channel_of_contact": rng.choice(["email", "balie", "post"]),
            "confidentiality": {"original": "Openbaar", "mapped": "openbaar"},
            "price": rng.choice(["-", "12.50", "125.00"]),
            "payment_status": rng.choice(["", "success", None]),
            "stalled_until": rng.choice([None, None, "2024-06-01"]),
            "outcome": {"instance": {"name": outcome}} if outcome else None,
            "milestone": {"instance": {"date_modified": "2024-03-02T10:00:00Z", "phase_label": phase_label}},
            "route": {
                "instance": {"role": {"instance": {"name": "Behandelaar", "description": "Behandelaar"}}}
            },
            "requestor": {
                "reference": f"person-{index}",
                "instance": {
                    "subject": {
                        "instance": {
                            "email_adress": f"burger{index}@example.org",
                            "firstname": "Jan",
                            "surname": f"Jansen-{index}",
                            "personal_number": f"{999990000 + index % 9999}",
                            "address_residence": {"instance": {"city": "Utrecht", "zipcode": "3511AB"}},
                        }
                    }
                },
            },
            "attributes": attributes,
        },
        "zaaktype": {
            "resultaattypen": [
                {"toelichting": "Verleend", "_self": {"id": "rt-verleend"}},
                {"toelichting": "Geweigerd", "_self": {"id": "rt-geweigerd"}},
            ],
            "roltypen": [{"omschrijvingGeneriek": "behandelaar", "_self": {"id": "rol-behandelaar"}}],
            "statustypen": [
                {"omschrijving": label, "_self": {"id": f"st-{n}"}} for n, label in enumerate(PHASES)
            ],
            "eigenschappen": [{"naam": name, "_self": {"id": f"eig-{name}"}} for name in attributes],
        },
        "casetype": {
            "result": {
                "reference": "ct-omgevingsvergunning",
                "preview": "Omgevingsvergunning",
                "instance": {
                    "title": "Omgevingsvergunning",
                    "legacy": {"zaaktype_id": 42},
                    "properties": {
                        "lead_time_legal": {"weken": "8"},
                        "lead_time_service": {"kalenderdagen": "30"},
                        "designation_of_confidentiality": "Openbaar",
                        "extension": True,
                        "publication": False,
                        "suspension": True,
                    },
                    "phases": [
                        {
                            "seq": n + 1,
                            "name": label,
                            "fields": [
                                {
                                    "label": f"{label} veld",
                                    "help": "",
                                    "type": "text",
                                    "magic_string": f"veld_{n}",
                                },
                                {"label": f"{label} bijlage", "type": "file", "magic_string": f"bijlage_{n}"},
                            ],
                            "route": {
                                "role": {"instance": {"name": "Behandelaar", "description": "Behandelt"}}
                            },
                        }
                        for n, label in enumerate(PHASES[:2])
                    ],
                    "results": [
                        {"type": "verleend", "label": "Verleend", "type_of_archiving": "Bewaren (B)"},
                        {
                            "type": "geweigerd",
                            "label": "Geweigerd",
                            "selection_list": "1.1",
                            "selection_list_number": "1.1",
                            "type_of_archiving": "Vernietigen",
                            "period_of_preservation": "365",
                        },
                    ],
                },
            }
        },
        "documents": {"result": {"instance": {"rows": documents}}},
    }


# --------------------------------------------------------------------------- hand-written equivalent


def truthy(value: Any) -> bool:
    return value not in (None, "", "0", 0, 0.0, False, [], {})


def get(data: Any, *keys: Any) -> Any:
    for key in keys:
        if isinstance(data, dict):
            data = data.get(key)
        elif isinstance(data, list) and isinstance(key, int) and 0 <= key < len(data):
            data = data[key]
        else:
            return None
    return data


def text(value: Any) -> str:
    if value is None or value is False:
        return ""
    if value is True:
        return "1"
    return str(value)


def set_if(target: dict[str, Any], key: str, value: str) -> None:
    if value not in ("", "0"):
        target[key] = value


def copy_if_present(target: dict[str, Any], key: str, source: Any, *path: str) -> None:
    """The ``"key": "a.b"`` + ``unsetIfValue==a.b`` idiom: copy when present. A ``true`` value is
    dropped too, because PHP's loose ``true == "a.b"`` holds."""
    parent = get(source, *path[:-1])
    if isinstance(parent, dict) and path[-1] in parent and parent[path[-1]] is not True:
        target[key] = parent[path[-1]]


def hand_outcome(outcome: Any, resultaattypen: Any) -> dict[str, Any]:
    result: dict[str, Any] = {}
    name = get(outcome, "instance", "name")
    set_if(result, "toelichting", text(name) if truthy(name) else "")
    if truthy(resultaattypen):
        ids = "".join(
            text(get(rt, "_self", "id"))
            for rt in resultaattypen
            if text(get(rt, "toelichting")) == text(name)
        )
        set_if(result, "resultaattype", ids)
    return result


def hand_rol(requestor: Any, role: Any, roltypen: Any) -> dict[str, Any]:
    subject = get(requestor, "instance", "subject", "instance") or {}
    name = get(role, "instance", "name")
    rol: dict[str, Any] = {"betrokkeneType": "medewerker" if truthy(name) else ""}
    set_if(rol, "omschrijving", text(name) if truthy(name) else "")
    description = get(role, "instance", "description")
    set_if(rol, "omschrijvingGeneriek", text(description) if truthy(description) else "")
    set_if(rol, "roltoelichting", text(name) if truthy(name) else "")
    contact: dict[str, Any] = {}
    set_if(
        contact,
        "emailadres",
        text(subject.get("email_adress")) if truthy(subject.get("email_adress")) else "",
    )
    set_if(
        contact,
        "telefoonnummer",
        text(subject.get("phone_number")) if truthy(subject.get("phone_number")) else "",
    )
    full_name = (text(subject["firstname"]) + " " if truthy(subject.get("firstname")) else "") + (
        text(subject["surname"]) if truthy(subject.get("surname")) else ""
    )
    set_if(contact, "naam", full_name)
    rol["contactpersoonRol"] = contact
    identification: dict[str, Any] = {}
    for key, value in (
        ("_sourceId", get(requestor, "reference")),
        ("inpBsn", subject.get("personal_number")),
        ("achternaam", subject.get("surname")),
    ):
        set_if(identification, key, text(value) if truthy(value) else "")
    address = get(subject, "address_residence", "instance") or {}
    residence: dict[str, Any] = {}
    set_if(residence, "wplWoonplaatsNaam", text(address.get("city")) if truthy(address.get("city")) else "")
    set_if(residence, "aoaPostcode", text(address.get("zipcode")) if truthy(address.get("zipcode")) else "")
    if residence:
        identification["verblijfsadres"] = residence
    if identification:
        rol["betrokkeneIdentificatie"] = identification
    if truthy(name):
        ids = "".join(
            text(get(rt, "_self", "id"))
            for rt in roltypen or []
            if text(get(rt, "omschrijvingGeneriek")).lower() == text(name).lower()
        )
        set_if(rol, "roltype", ids)
    return rol


def hand_status(milestone: Any, statustypen: Any) -> dict[str, Any]:
    status: dict[str, Any] = {}
    copy_if_present(status, "datumStatusGezet", milestone, "instance", "date_modified")
    copy_if_present(status, "statustoelichting", milestone, "instance", "phase_label")
    status["indicatieLaatstGezetteStatus"] = True
    label = text(get(milestone, "instance", "phase_label"))
    set_if(
        status,
        "statustype",
        "".join(text(get(st, "_self", "id")) for st in statustypen or [] if st["omschrijving"] == label),
    )
    return status


def hand_zaaktype(casetype: dict[str, Any]) -> dict[str, Any]:
    instance = casetype.get("instance") or {}
    properties = instance.get("properties") or {}
    reference = casetype.get("reference")
    zaaktype: dict[str, Any] = {"originId": reference, "_sourceId": reference}
    copy_if_present(zaaktype, "identificatie", casetype, "instance", "legacy", "zaaktype_id")
    zaaktype["onderwerp"] = instance.get("title")

    def lead_time(key: str) -> str:
        if truthy(get(properties, key, "weken")):
            return f"P{text(properties[key]['weken'])}W"
        if truthy(get(properties, key, "kalenderdagen")):
            return f"P{text(properties[key]['kalenderdagen'])}D"
        return ""

    set_if(zaaktype, "doorlooptijd", lead_time("lead_time_legal"))
    set_if(zaaktype, "servicenorm", lead_time("lead_time_service"))
    zaaktype["vertrouwelijkheidaanduiding"] = text(properties.get("designation_of_confidentiality")).lower()
    copy_if_present(zaaktype, "verlengingMogelijk", properties, "extension")
    copy_if_present(zaaktype, "publicatieIndicatie", properties, "publication")
    zaaktype["omschrijving"] = instance.get("title")
    copy_if_present(zaaktype, "opschortingEnAanhoudingMogelijk", properties, "suspension")
    zaaktype["bronzaaktype"] = {"identificatie": reference, "omschrijving": instance.get("title")}
    zaaktype["referentieproces"] = {"naam": casetype["preview"]} if "preview" in casetype else {}
    phases = instance.get("phases") or []
    statustypen = []
    for phase in phases:
        fields = phase.get("fields") or []
        label = get(fields, 0, "label")
        statustype: dict[str, Any] = {}
        set_if(
            statustype,
            "_sourceId",
            text(reference) + text(label) if truthy(label) and truthy(reference) else "",
        )
        statustype["volgnummer"] = phase.get("seq")
        statustype["omschrijving"] = phase.get("name")
        statustype["omschrijvingGeneriek"] = text(label) if truthy(label) else "geen statustekst"
        help_text = get(fields, 0, "help")
        statustype["statustekst"] = text(help_text) if truthy(help_text) else "geen statustekst"
        statustypen.append(statustype)
    zaaktype["statustypen"] = statustypen
    today = dates.clock().strftime("%Y-%m-%d")
    informatieobjecttypen, eigenschappen = [], []
    for phase in phases:
        for field in phase.get("fields") or []:
            label = field.get("original_label") or field.get("label") or field.get("magic_string")
            if field.get("type") == "file":
                iot: dict[str, Any] = {}
                set_if(iot, "omschrijving", text(label))
                public = truthy(field.get("publish_public")) and field.get("publish_public") is True
                iot["vertrouwelijkheidsaanduiding"] = "openbaar" if public else "zaakvertrouwelijk"
                iot["beginGeldigheid"] = today
                iot["informatieobjectcategorie"] = "xxllnc informatieobject"
                informatieobjecttypen.append(iot)
            else:
                eigenschap: dict[str, Any] = {"naam": field["magic_string"]}
                set_if(eigenschap, "definitie", text(label))
                formats = {"date": "datum", "datetime": "datum_tijd", "number": "getal"}
                eigenschap["specificatie"] = {"formaat": formats.get(text(field.get("type")), "tekst")}
                limit = field.get("limit_values")
                eigenschap["kardinaliteit"] = text(limit) if truthy(limit) else "1"
                eigenschappen.append(eigenschap)
    zaaktype["informatieobjecttypen"] = informatieobjecttypen
    zaaktype["eigenschappen"] = eigenschappen
    roltypen = []
    for phase in phases:
        role = get(phase, "route", "role")
        if truthy(role):
            roltype: dict[str, Any] = {}
            description, name = get(role, "instance", "description"), get(role, "instance", "name")
            set_if(roltype, "omschrijving", text(description) if truthy(description) else "")
            set_if(roltype, "omschrijvingGeneriek", text(name).lower() if truthy(name) else "")
            roltypen.append(roltype)
    zaaktype["roltypen"] = roltypen
    resultaattypen = []
    for result in instance.get("results") or []:
        resultaattype: dict[str, Any] = {
            "omschrijving": result.get("type"),
            "toelichting": result.get("label"),
        }
        if truthy(result.get("selection_list")):
            number = text(result.get("selection_list_number")).replace(".", "_")
            resultaattype["selectielijstklasse"] = (
                f"https://inavigator.bizzib.nl/bsd/sl2020.gem.html#{number}"
            )
        else:
            resultaattype["selectielijstklasse"] = "http://localhost"
        keep = result.get("type_of_archiving") in ("Bewaren (B)", "Conversie")
        resultaattype["archiefnominatie"] = "blijvend_bewaren" if keep else "vernietigen"
        period = result.get("period_of_preservation")
        set_if(resultaattype, "archiefactietermijn", f"P{text(period)}D" if truthy(period) else "")
        resultaattypen.append(resultaattype)
    zaaktype["resultaattypen"] = resultaattypen
    return zaaktype


def hand_document(document: dict[str, Any]) -> dict[str, Any]:
    instance = document.get("instance") or {}
    file_info = get(instance, "file", "instance") or {}
    metadata = get(instance, "metadata", "instance") or {}
    informatieobject: dict[str, Any] = {
        "identificatie": instance.get("number"),
        "creatiedatum": file_info.get("date_created"),
        "titel": instance.get("name"),
    }
    set_if(informatieobject, "vertrouwelijksheidaanduiding", text(metadata.get("trust_level")).lower())
    informatieobject["formaat"] = file_info.get("mimetype")
    informatieobject["versie"] = 1
    informatieobject["beginRegistratie"] = file_info.get("date_modified")
    informatieobject["bestandsnaam"] = instance.get("filename")
    informatieobject["bestandsomvang"] = int(file_info.get("size") or 0)
    set_if(informatieobject, "verschijningsvorm", text(metadata.get("category")))
    informatieobject["integriteit"] = {"datum": file_info.get("date_created")}
    informatieobject["inhoud"] = {
        "downloadUrl": f"https://xxllncapiv1/case/{text(document.get('caseId'))}/document/"
        f"{text(document.get('reference'))}/download",
        "source": "2",
    }
    return {
        "titel": instance.get("name"),
        "registratiedatum": file_info.get("date_created"),
        "informatieobject": informatieobject,
    }


def hand_value(name: str, value: Any, eigenschappen: Any) -> dict[str, Any]:
    result: dict[str, Any] = {}
    set_if(result, "naam", name)
    first = get(value, 0)
    if truthy(first) and not isinstance(first, list | dict):
        waarde = text(first)
    elif truthy(get(value, 0, 0)) and not isinstance(get(value, 0, 0), list | dict):
        waarde = text(get(value, 0, 0))
    else:
        waarde = json.dumps(value, separators=(",", ":"))
    set_if(result, "waarde", waarde)
    set_if(
        result,
        "eigenschap",
        "".join(text(get(e, "_self", "id")) for e in eigenschappen or [] if e.get("naam") == name),
    )
    return result


def hand_case_to_zaak(case: dict[str, Any]) -> dict[str, Any]:
    instance = case.get("instance") or {}
    zaaktype_data = case.get("zaaktype") or {}
    reference = case.get("reference")
    zaak: dict[str, Any] = {"originId": reference, "_sourceId": reference, "identificatie": reference}
    for target, key in (
        ("omschrijving", "subject"),
        ("toelichting", "subject_external"),
        ("registratiedatum", "date_of_registration"),
        ("startdatum", "date_of_registration"),
        ("einddatum", "date_of_completion"),
        ("einddatumGepland", "date_target"),
        ("publicatiedatum", "date_target"),
        ("communicatiekanaal", "channel_of_contact"),
    ):
        copy_if_present(zaak, target, instance, key)
    copy_if_present(zaak, "vertrouwelijkheidaanduidng", instance, "confidentiality", "mapped")
    zaak["kenmerken"] = [{"kenmerk": reference, "bron": "xxllnc v1 api"}]
    payment = instance.get("payment_status")
    if instance.get("price") == "-":
        zaak["betalingsindicatie"], zaak["betalingsindicatieWeergave"] = "nvt", "Zaak kent geen prijs"
    elif payment in (None, ""):
        zaak["betalingsindicatie"], zaak["betalingsindicatieWeergave"] = (
            "nog_niet",
            "Er moet nog betaald worden",
        )
    else:
        zaak["betalingsindicatie"], zaak["betalingsindicatieWeergave"] = (
            "geheel",
            "De volledige kosten zijn betaald",
        )
    outcome = instance.get("outcome")
    outcome_name = get(outcome, "instance", "name")
    set_if(zaak, "resultaattoelichting", text(outcome_name) if truthy(outcome_name) else "")
    zaak["resultaat"] = (
        hand_outcome(outcome, zaaktype_data.get("resultaattypen")) if truthy(outcome) else None
    )
    role = get(instance, "route", "instance", "role")
    zaak["rollen"] = (
        [hand_rol(instance.get("requestor"), role, zaaktype_data.get("roltypen"))] if truthy(role) else []
    )
    milestone = instance.get("milestone")
    zaak["status"] = hand_status(milestone, zaaktype_data.get("statustypen")) if truthy(milestone) else None
    casetype = get(case, "casetype", "result")
    zaak["zaaktype"] = hand_zaaktype(casetype) if truthy(casetype) else None
    eigenschappen = []
    if truthy(zaaktype_data.get("eigenschappen")):
        for key, attribute in (instance.get("attributes") or {}).items():
            nested = get(attribute, 0, 0)
            if truthy(nested) and isinstance(nested, list | dict):
                eigenschappen.append(attribute)
            else:
                eigenschappen.append(hand_value(key, attribute, zaaktype_data["eigenschappen"]))
    zaak["eigenschappen"] = eigenschappen
    rows = get(case, "documents", "result", "instance", "rows")
    zaak["zaakinformatieobjecten"] = [hand_document({**row, "caseId": reference}) for row in rows or []]
    zaak["bronorganisatie"] = case.get("bronorganisatie")
    zaak["verantwoordelijkeOrganisatie"] = case.get("bronorganisatie")
    if truthy(instance.get("stalled_until")):
        zaak["opschorting"] = {"indicatie": "true", "reden": "Unknown"}
    return zaak


# --------------------------------------------------------------------------- run


def php_shape(value: Any) -> Any:
    """Empty objects and lists are the same PHP array: compare both implementations in that shape."""
    if isinstance(value, dict):
        return {key: php_shape(item) for key, item in value.items()} if value else []
    if isinstance(value, list):
        return [php_shape(item) for item in value]
    return value


def differences(engine: Any, hand: Any, path: str = "") -> list[str]:
    if isinstance(engine, dict) and isinstance(hand, dict):
        found = []
        for key in sorted(set(engine) | set(hand)):
            if key not in hand or key not in engine:
                found.append(
                    f"{path}.{key}: engine={engine.get(key, '<absent>')!r} hand={hand.get(key, '<absent>')!r}"
                )
            else:
                found.extend(differences(engine[key], hand[key], f"{path}.{key}"))
        return found
    if isinstance(engine, list) and isinstance(hand, list) and len(engine) == len(hand):
        return [
            d
            for index, pair in enumerate(zip(engine, hand, strict=True))
            for d in differences(*pair, f"{path}.{index}")
        ]
    return [] if engine == hand else [f"{path}: engine={engine!r} hand={hand!r}"]


def suite_case(rng: random.Random, index: int) -> dict[str, Any]:
    """An xxllnc suite zaak as the publication mapping reads it."""
    return {
        "identificatie": f"ZAAK-{index}",
        "omschrijving": f"Woo-verzoek {index} over {rng.choice(SUBJECTS)}",
        "zaaktypeomschrijving": rng.choice(["Woo-verzoek", "Klacht", "Melding"]),
        "zaaktypecode": rng.choice(["B1873", "LP00000091", "X1"]),
        "startdatum": "2024-01-10",
        "files": [
            {"titel": f"Besluit {n}", "bestandsnaam": f"besluit-{n}.pdf", "inhoud": f"https://suite/f/{n}"}
            for n in range(rng.randint(0, 3))
        ],
    }


def sharepoint_item(rng: random.Random, index: int) -> dict[str, Any]:
    """A SharePoint list item as the publication mapping reads it."""
    return {
        "UniqueId": f"sp-{index}",
        "d": {
            "woo_x005f_titel": f"Woo-verzoek {index}",
            "woo_x005f_beschrijving": rng.choice(SUBJECTS),
            "woo_x005f_samenvatting": "Samenvatting",
            "woo_x005f_categorie": "Woo-verzoeken en -besluiten",
            "woo_x005f_publicatiedatum": "2024-05-01T00:00:00Z",
            "vti_x005f_nexttolasttimemodified": "2024-05-02T08:00:00Z",
        },
        "fileUrls": [
            {
                "Name": f"bijlage-{n}.pdf",
                "d": {"document_x005f_label": "bijlage"},
                "__metadata": {"uri": f"https://sp/f/{n}"},
            }
            for n in range(rng.randint(0, 3))
        ],
    }


def stored(path: Path) -> dict[str, Any]:
    """A mapping file as the entity store returns it: with id, version and update time."""
    mapping: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    mapping.update(id=path.stem, uuid=path.stem, version=mapping.get("version") or "0.0.1")
    mapping["updated"] = "2026-11-30T00:00:00+00:00"
    return mapping


def timed(function: Any, mapping: dict[str, Any], records: list[Any]) -> float:
    started = time.perf_counter()
    for record in records:
        function(mapping, record)
    return time.perf_counter() - started


def profile(label: str, function: Any, records: list[Any]) -> None:
    """Where the engine's time goes: cProfile's own time per module (builtins on their own line)."""
    import cProfile
    import pstats
    from collections import Counter

    for record in records[:20]:
        function(record)  # compiled and warm
    profiler = cProfile.Profile()
    profiler.enable()
    for record in records:
        function(record)
    profiler.disable()
    own: Counter[str] = Counter()
    calls: Counter[str] = Counter()
    statistics = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    for (filename, _, _), (_, count, own_time, _, _) in statistics.items():
        if "openconnector_core/" in filename:
            where = filename.split("openconnector_core/")[-1]
        elif filename in ("<mapping>", "<twig>"):
            where = f"{filename} (generated code)"
        elif filename == "~" or filename.startswith("<"):
            where = "builtins (dict.get, isinstance, len, ...)"
        else:
            where = Path(filename).name
        own[where] += own_time
        calls[where] += count
    total = sum(own.values())
    print(f"profile of the engine on {len(records):,} records of {label}: own time by module")
    for where, seconds in own.most_common(20):
        print(f"  {100 * seconds / total:5.1f} %  {calls[where] / len(records):8.1f} calls/record  {where}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=5_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--profile",
        action="store_true",
        help="profile the engine on the xxllnc cases: share of time by module",
    )
    arguments = parser.parse_args()
    moment = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    dates.clock = lambda: moment  # the same "now" for every implementation (equal outputs)

    by_slug = {path.stem: stored(path) for path in MAPPINGS.glob("*.json")}

    def resolve(reference: str) -> dict[str, Any] | None:
        return by_slug.get(NUMERIC_IDS.get(reference, reference))

    engine, interpreter = MappingEngine(resolver=resolve), MappingInterpreter(resolver=resolve)
    rng = random.Random(20240301)
    workloads = [
        (
            "xxllnc case → ZGW zaak (12 sub-mappings)",
            by_slug["xxllnc-v1-case-to-zgw-zaak"],
            [synthetic_case(rng, index) for index in range(arguments.cases)],
            True,
        ),
        (
            # One case mapped again and again (a forced re-synchronization of unchanged records):
            # what the memo can do at best. Fresh objects each time, as a new page would bring.
            "xxllnc case → ZGW zaak, one case mapped again",
            by_slug["xxllnc-v1-case-to-zgw-zaak"],
            [json.loads(text) for text in [json.dumps(synthetic_case(rng, 0))] * arguments.cases],
            True,
        ),
        (
            # The corpus' real case: small (no case type, documents, milestone): what a run costs.
            "xxllnc case → ZGW zaak, the corpus' real case mapped again",
            by_slug["xxllnc-v1-case-to-zgw-zaak"],
            [json.loads(text) for text in [json.dumps(corpus_case()["input"])] * arguments.cases],
            True,
        ),
        (
            "xxllnc suite → publication",
            stored(CONFIGURATIONS / "xxllnc-suite-woo" / "mappings" / "xxllnc-suite-to-publications.json"),
            [suite_case(rng, index) for index in range(arguments.cases)],
            False,
        ),
        (
            "SharePoint → publication",
            stored(
                CONFIGURATIONS / "sharepoint-woo" / "mappings" / "sharepoint-woo-verzoek-to-publications.json"
            ),
            [sharepoint_item(rng, index) for index in range(arguments.cases)],
            False,
        ),
    ]
    if arguments.profile:
        label, mapping, records, _ = workloads[0]
        profile(label, lambda record: engine.run(mapping, record, stored=True), records)
        return
    print(f"mapping benchmark: {arguments.cases:,} records per mapping, best of {arguments.rounds} rounds")
    for label, mapping, records, with_hand in workloads:
        for record in records[:200]:
            by_engine = engine.run(mapping, record)
            if by_engine != interpreter.run(mapping, record):
                raise SystemExit(f"{label}: engine and interpreter disagree on {record!r}")
            if with_hand and php_shape(by_engine) != php_shape(hand_case_to_zaak(record)):
                print(f"{label}: the hand-written function disagrees with the engine on", record["reference"])
                for difference in differences(php_shape(by_engine), php_shape(hand_case_to_zaak(record))):
                    print("  ", difference)
                raise SystemExit(1)
        # Each round gets a fresh engine: what it keeps for data seen before (mapping.memo) starts
        # empty, so a round never profits from the records of the round before it. (The compiled
        # functions are cached per process: compiling is a one-off, as in a warm Lambda.)
        contenders: dict[str, Any] = {
            # run as a synchronization or an endpoint runs a stored mapping (known by id and version)
            "engine (compiled)": lambda: functools.partial(MappingEngine(resolver=resolve).run, stored=True),
            "interpreter": lambda: interpreter.run,
        }
        if with_hand:
            contenders["hand-written Python"] = lambda: lambda _mapping, case: hand_case_to_zaak(case)
        best = dict.fromkeys(contenders, float("inf"))
        for _ in range(arguments.rounds):
            for name, fresh in contenders.items():
                best[name] = min(best[name], timed(fresh(), mapping, records))
        engine_rate = len(records) / best["engine (compiled)"]
        print(f"\n  {label}")
        for name in contenders:
            rate = len(records) / best[name]
            print(f"    {name:<24}{rate:10,.0f} records/s   engine / this: {engine_rate / rate:5.2f}x")
    print("\n  (outputs checked equal on the first 200 records of each mapping)")


if __name__ == "__main__":
    main()
