"""The versioned store of cases and partner submissions (SQLAlchemy; SQLite by default).

:class:`Store` keeps every version of a case as canonical content (:mod:`.content`) and every
file a partner sent; :mod:`.submissions` screens, validates and merges submissions;
:mod:`.diff` says what changed between two versions and what that does to the results.
"""

from scenat.store.content import case_content, content_case, content_hash, export_version
from scenat.store.database import (
    Store,
    StoreError,
    Submission,
    Version,
    VersionConflict,
    case_key_for,
    default_url,
    open_case,
)
from scenat.store.diff import VersionDiff, diff_cases, diff_versions
from scenat.store.submissions import (
    MergePreview,
    SubmissionRejected,
    accept,
    merge_content,
    preview,
    submit,
)

__all__ = [
    "MergePreview",
    "Store",
    "StoreError",
    "Submission",
    "SubmissionRejected",
    "Version",
    "VersionConflict",
    "VersionDiff",
    "accept",
    "case_content",
    "case_key_for",
    "content_case",
    "content_hash",
    "default_url",
    "diff_cases",
    "diff_versions",
    "export_version",
    "merge_content",
    "open_case",
    "preview",
    "submit",
]
