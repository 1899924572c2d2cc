"""Zip archives: every member is read as a file of its own, streamed, never extracted."""
from __future__ import annotations

import zipfile
from typing import Callable, Iterator

from .model import OnProblem, Problem

# (member path, member rel parts, opener) -> documents; provided by walk.py
ReadMember = Callable[[str, tuple[str, ...], Callable], Iterator]


def read(path: str, rel: tuple[str, ...], read_member: ReadMember, on_problem: OnProblem,
         max_file_bytes: int | None) -> Iterator:
    """Read the members of the archive at `path`, in name order, skipping hidden ones."""
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as err:
        on_problem(Problem(path, None, f"not a valid zip archive ({err})", "corrupt"))
        return
    with archive:
        members = sorted((i for i in archive.infolist() if not i.is_dir() and not _hidden(i.filename)),
                         key=lambda i: i.filename)
        if not members:
            on_problem(Problem(path, None, "zip archive has no files", "empty"))
        for info in members:
            member = f"{path}/{info.filename}"
            if info.flag_bits & 0x1:
                on_problem(Problem(member, None, "encrypted zip member", "unsupported"))
            elif max_file_bytes is not None and info.file_size > max_file_bytes:
                on_problem(Problem(member, None, f"{info.file_size:,} bytes uncompressed, over the "
                                                 f"{max_file_bytes:,}-byte limit", "too_large"))
            else:
                yield from read_member(member, rel + tuple(info.filename.split("/")),
                                       lambda info=info: archive.open(info))


def _hidden(name: str) -> bool:
    return any(part.startswith(".") or part == "__MACOSX" for part in name.split("/"))
