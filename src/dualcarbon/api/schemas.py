"""Request bodies and responses of the API (pydantic): what ``/openapi.json`` documents."""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from dualcarbon.project import examples

Role = Literal["viewer", "editor", "admin"]
Kind = Literal[
    "settings",
    "activities",
    "credits",
    "factors",
    "sinks",
    "measures",
    "indicators",
    "documents",
    "processes",
    "exchanges",
    "holdings",
    "units",
    "generation",
    "instruments",
    "prices",
]
Status = Literal["queued", "running", "succeeded", "failed"]
# The largest offset a page may start at: the stores' OFFSET is a signed 64-bit integer.
MAX_OFFSET = 2**63 - 1


def _no_surrogate(value: Any, where: str) -> None:
    """Refuse a lone surrogate anywhere in a JSON value (JSON may escape one; UTF-8 cannot hold it)."""
    if isinstance(value, str):
        if any("\ud800" <= ch <= "\udfff" for ch in value):
            raise ValueError(f"{where}: a lone surrogate (an unpaired \\ud800-\\udfff escape) is not text")
    elif isinstance(value, dict):
        for key, item in value.items():
            _no_surrogate(key, where)
            _no_surrogate(item, f"{where}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _no_surrogate(item, f"{where}[{i}]")


def _printable(name: str) -> str:
    """A name shows on one line: no control characters (NUL, tab, line breaks, DEL, the C1 codes)."""
    bad = next((ch for ch in name if unicodedata.category(ch) == "Cc"), None)
    if bad is not None:
        raise ValueError(f"a name may not hold control characters (found U+{ord(bad):04X})")
    return name


Name = Annotated[str, AfterValidator(_printable)]


def _bundled_example(name: str) -> str:
    if name not in examples.projects():
        raise ValueError(f"expected a bundled example, one of: {', '.join(examples.projects())}")
    return name


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _text_only(cls, value: Any, info: ValidationInfo) -> Any:
        _no_surrogate(value, info.field_name or "body")
        return value


def _time(value: dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat(timespec="seconds") + "Z"


# -- bodies -------------------------------------------------------------------------------------------
class SignUp(_Body):
    name: Name = Field(min_length=1, max_length=200, description="The organisation's name.")
    admin_name: Name = Field(min_length=1, max_length=200, description="Name of its first user, an admin.")
    admin_email: Name | None = Field(None, max_length=320)
    admin_login: Name | None = Field(
        None, max_length=200, description="The admin's sign-in name (unique on the server; an e-mail is fine)."
    )
    admin_password: str | None = Field(
        None, max_length=1024, description="The admin's password (at least 10 characters); with admin_login."
    )


class SignIn(_Body):
    login: str = Field(min_length=1, max_length=200, description="The sign-in name (case does not matter).")
    password: str = Field(min_length=1, max_length=1024)


class PasswordChange(_Body):
    current_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(min_length=1, max_length=1024, description="At least 10 characters.")


class PasswordSet(_Body):
    code: str = Field(min_length=1, max_length=200, description="The one-time code of an invitation or a reset.")
    password: str = Field(min_length=1, max_length=1024, description="At least 10 characters.")


class OrganisationPatch(_Body):
    name: Name = Field(min_length=1, max_length=200)


class UserCreate(_Body):
    name: Name = Field(min_length=1, max_length=200)
    login: Name | None = Field(
        None,
        max_length=200,
        description="A person's sign-in name: they are invited (a one-time code to set their password). "
        "Without it, a user for scripts, with a first API token.",
    )
    email: Name | None = Field(None, max_length=320)
    role: Role = "viewer"


class UserPatch(_Body):
    role: Role | None = None
    disabled: bool | None = Field(None, description="A disabled user's sessions and tokens stop working at once.")
    login: Name | None = Field(None, max_length=200, description="A sign-in name for a user who has none yet.")


class TokenCreate(_Body):
    name: Name = Field("api token", min_length=1, max_length=200, description="What the token is for.")


class ProjectCreate(_Body):
    name: Name = Field(min_length=1, max_length=200)
    example: Annotated[str, AfterValidator(_bundled_example)] | None = Field(
        None,
        description="Start from a bundled example: every file of it (dualcarbon.toml, activities, credits, "
        "sinks, measures, plan documents) becomes "
        "the project's first batches (like `dualcarbon init --example`).",
    )


class ProjectPatch(_Body):
    name: Name = Field(min_length=1, max_length=200)


class SettingsPut(_Body):
    """The project's settings: either the text of a dualcarbon.toml, or the same as a JSON object."""

    toml: str | None = Field(None, description="The text of dualcarbon.toml.")
    settings: dict[str, Any] | None = Field(
        None, description="dualcarbon.toml's tables as JSON; dates as '2024-01-01'."
    )


class RunCreate(_Body):
    lang: Literal["zh", "en"] | None = Field(None, description="Language of the report (default: the settings').")
    pathway: bool = Field(
        False,
        description="Also the least-cost pathway to the settings' [targets] "
        "(as `dualcarbon pathway`): pathway.csv, measures_plan.csv, abatement.csv, pathway.json.",
    )
    emissions: Literal["auto", "csv", "parquet", "xlsx", "none"] | None = Field(
        None,
        description="The row-level emission file (as `dualcarbon run --emissions`): csv, parquet, xlsx (up to "
        "1,048,575 rows) or none; "
        "auto (default): emissions.csv up to 1,048,575 rows, emissions.parquet above.",
    )
    pdf: bool = Field(
        False,
        description="Also report.pdf (as `dualcarbon run --pdf`), printed by headless Chromium on the server; "
        "409 pdf_unavailable when the server has none (GET /api/health says: pdf).",
    )
    disclosure: bool = Field(
        False,
        description="A run for disclosure of the settings' period: the collected kinds (activities, credits, sinks, "
        "indicators) from the approved data requests of the period only; 409 while one is not approved "
        "(docs/collection.md).",
    )


class FootprintCreate(_Body):
    lang: Literal["zh", "en"] | None = Field(None, description="Language of the report (default: the settings').")
    iterations: int | None = Field(
        None, ge=0, le=100_000, description="Monte Carlo iterations (default: [product] iterations; 0: none)."
    )
    pdf: bool = Field(
        False,
        description="Also report.pdf (as `dualcarbon footprint --pdf`), printed by headless Chromium on the server; "
        "409 pdf_unavailable when the server has none.",
    )


# -- responses ------------------------------------------------------------------------------------------
class Organisation(BaseModel):
    id: str
    name: str
    created_at: str | None

    @classmethod
    def of(cls, row: dict) -> Organisation:
        return cls(id=row["id"], name=row["name"], created_at=_time(row["created_at"]))


class User(BaseModel):
    id: str
    name: str
    login: str | None = Field(None, description="The sign-in name; None for a user of scripts (tokens only).")
    has_password: bool = Field(False, description="Whether a password is set (False: invited, or reset).")
    email: str | None
    role: Role
    disabled: bool
    created_at: str | None

    @classmethod
    def of(cls, row: dict) -> User:
        return cls(
            id=row["id"],
            name=row["name"],
            login=row.get("login"),
            has_password=bool(row.get("has_password")),
            email=row["email"],
            role=row["role"],
            disabled=bool(row["disabled"]),
            created_at=_time(row["created_at"]),
        )


class Token(BaseModel):
    id: str
    user_id: str
    name: str
    created_at: str | None
    revoked_at: str | None

    @classmethod
    def of(cls, row: dict) -> Token:
        return cls(
            id=row["id"],
            user_id=row["user_id"],
            name=row["name"],
            created_at=_time(row["created_at"]),
            revoked_at=_time(row["revoked_at"]),
        )


class NewToken(BaseModel):
    token: str = Field(description="The bearer token. Shown this once: only its hash is kept.")
    info: Token


class SignedUp(BaseModel):
    organisation: Organisation
    user: User
    token: str = Field(description="The admin's bearer token. Shown this once: only its hash is kept.")


class OneTimeCode(BaseModel):
    code: str = Field(
        description="Shown this once (only its hash is kept): the person sets their password with it, "
        "in the dashboard at /app/#/password?code=CODE or with POST /api/password."
    )
    purpose: Literal["invitation", "reset"]
    expires_at: str | None

    @classmethod
    def of(cls, row: dict, code: str) -> OneTimeCode:
        return cls(code=code, purpose=row["purpose"], expires_at=_time(row["expires_at"]))


class NewUser(BaseModel):
    user: User
    token: str | None = Field(None, description="A user for scripts: their first bearer token. Shown this once.")
    invitation: OneTimeCode | None = Field(None, description="A person: the invitation's one-time code.")


class Me(BaseModel):
    user: User
    organisation: Organisation
    token_id: str | None = Field(description="The token in use; None when signed in with a session.")
    via: Literal["token", "session"] = "token"


class Session(Me):
    csrf_token: str | None = Field(
        description="Send it as X-CSRF-Token with every POST, PUT, PATCH and DELETE made with the session cookie."
    )
    expires_at: str | None = Field(None, description="When the session ends at the latest.")


class PasswordSetDone(BaseModel):
    login: str = Field(description="The sign-in name whose password was set: sign in with it.")


class AuditEntry(BaseModel):
    id: str
    at: str | None
    user_id: str | None
    user_name: str | None
    action: str
    object_kind: str | None
    object_id: str | None
    details: dict[str, Any]
    client_address: str | None

    @classmethod
    def of(cls, row: dict) -> AuditEntry:
        return cls(
            id=row["id"],
            at=_time(row["done_at"]),
            user_id=row["user_id"],
            user_name=row["user_name"],
            action=row["action"],
            object_kind=row["object_kind"],
            object_id=row["object_id"],
            details=json.loads(row["details_json"]),
            client_address=row["client_address"],
        )


class Project(BaseModel):
    id: str
    name: str
    created_by: str
    created_at: str | None

    @classmethod
    def of(cls, row: dict) -> Project:
        return cls(id=row["id"], name=row["name"], created_by=row["created_by"], created_at=_time(row["created_at"]))


class Batch(BaseModel):
    id: str
    project_id: str
    kind: Kind
    filename: str
    sha256: str
    size_bytes: int
    rows: int | None = Field(description="Data rows (activities: the rows read, before grouping).")
    uploaded_by: str
    uploaded_at: str | None
    withdrawn_at: str | None
    withdrawn_by: str | None

    @classmethod
    def of(cls, row: dict) -> Batch:
        return cls(
            id=row["id"],
            project_id=row["project_id"],
            kind=row["kind"],
            filename=row["filename"],
            sha256=row["sha256"],
            size_bytes=row["size_bytes"],
            rows=row["rows"],
            uploaded_by=row["uploaded_by"],
            uploaded_at=_time(row["uploaded_at"]),
            withdrawn_at=_time(row["withdrawn_at"]),
            withdrawn_by=row["withdrawn_by"],
        )


class Settings(BaseModel):
    batch: Batch
    toml: str
    settings: dict[str, Any] = Field(description="The settings as read, with defaults filled in.")


class RunInput(BaseModel):
    batch_id: str
    kind: Kind
    filename: str
    path: str = Field(description="Where the batch sits in the run's project folder.")
    sha256: str


class RunOutput(BaseModel):
    name: str
    sha256: str
    size_bytes: int


class Run(BaseModel):
    id: str
    project_id: str
    kind: str
    status: Status
    step: str | None = Field(description="The step under way or last done: load, compute, report, write, store.")
    steps_done: int
    steps_total: int
    options: dict[str, Any]
    inputs_sha256: str = Field(description="SHA-256 over the inputs' paths and content hashes.")
    factor_sets: list[dict[str, Any]] | None = Field(description="Factor sets used, with versions and hashes.")
    dualcarbon_version: str
    error: dict[str, Any] | None = Field(description="Why it failed, in the API's error shape.")
    reproduces: str | None = Field(description="The run this one repeats (POST /api/runs/{id}/reproduce).")
    created_by: str
    created_at: str | None
    started_at: str | None
    finished_at: str | None
    totals: dict[str, float] | None = Field(None, description="summary.json's totals, once succeeded.")

    @classmethod
    def of(cls, row: dict, totals: dict | None = None) -> Run:
        return cls(
            id=row["id"],
            project_id=row["project_id"],
            kind=row["kind"],
            status=row["status"],
            step=row["step"],
            steps_done=row["steps_done"],
            steps_total=row["steps_total"],
            options=json.loads(row["options_json"]),
            inputs_sha256=row["inputs_sha256"],
            factor_sets=json.loads(row["factor_sets_json"]) if row["factor_sets_json"] else None,
            dualcarbon_version=row["dualcarbon_version"],
            error=json.loads(row["error_json"]) if row["error_json"] else None,
            reproduces=row["reproduces"],
            created_by=row["created_by"],
            created_at=_time(row["created_at"]),
            started_at=_time(row["started_at"]),
            finished_at=_time(row["finished_at"]),
            totals=totals,
        )


class RunDetail(Run):
    inputs: list[RunInput]
    outputs: list[RunOutput]


class Page(BaseModel):
    total: int
    offset: int
    limit: int


class RunPage(Page):
    items: list[Run]


class AuditPage(Page):
    items: list[AuditEntry] = Field(description="Newest first.")


class EmissionPage(Page):
    items: list[dict[str, Any]] = Field(description="Rows of emissions.csv: one per activity × gas, with the trace.")


class FactorPage(Page):
    fit: dict[str, Any] = Field(description="What was ranked first: country, region, lang and the set precedence.")
    items: list[dict[str, Any]] = Field(description="Factors, what fits first, with Chinese and English names.")


class Rows(BaseModel):
    items: list[dict[str, Any]]


class Neutrality(BaseModel):
    assessment: dict[str, Any] = Field(description="summary.json's `neutrality`.")
    tables: dict[str, list[dict[str, Any]]] = Field(description="The run's neutrality CSV files, by name.")


class Pathway(BaseModel):
    pathway: dict[str, Any] = Field(description="pathway.json as the run wrote it.")
    tables: dict[str, list[dict[str, Any]]] = Field(description="The run's pathway CSV files, by name.")


class Health(BaseModel):
    status: Literal["ok"]
    version: str
    store: Literal["duckdb", "postgresql"]
    schema_version: int
    signup: Literal["open", "setup_token", "closed"]
    pdf: bool = Field(False, description="Whether runs can print report.pdf (Chromium found on the server).")


class FactorSet(BaseModel):
    factor_set: str
    dataset: str
    version: str
    sha256: str
    rows: int
    name_en: str
    name_zh: str
