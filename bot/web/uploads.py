"""Files sent to the system (a citizen's evidence in the web chat, a department's 办结报告 files): only the listed
types, at most 10 MB, stored under a random name in the upload folder; never the sender's file name as a path."""

from __future__ import annotations

import uuid
from pathlib import Path

from fastapi import HTTPException, UploadFile

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
UPLOAD_TYPES = {  # what a citizen may send as evidence -> (kind, file suffix); never HTML or SVG
    "image/jpeg": ("photo", ".jpg"),
    "image/png": ("photo", ".png"),
    "image/gif": ("photo", ".gif"),
    "image/webp": ("photo", ".webp"),
    "image/heic": ("photo", ".heic"),
    "audio/mpeg": ("voice", ".mp3"),
    "audio/mp4": ("voice", ".m4a"),
    "audio/x-m4a": ("voice", ".m4a"),
    "audio/aac": ("voice", ".aac"),
    "audio/ogg": ("voice", ".ogg"),
    "audio/wav": ("voice", ".wav"),
    "audio/x-wav": ("voice", ".wav"),
    "audio/amr": ("voice", ".amr"),
    "audio/webm": ("voice", ".webm"),
    "application/pdf": ("document", ".pdf"),
    "text/plain": ("document", ".txt"),
    "application/msword": ("document", ".doc"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ("document", ".docx"),
}


def store_upload(upload: UploadFile, upload_dir: Path, folder_name: str) -> tuple[str, Path, str]:
    """Writes the upload under a random name (the citizen's file name is never used as a path)."""
    mime = (upload.content_type or "").split(";")[0].strip().lower()
    if mime not in UPLOAD_TYPES:
        raise HTTPException(415, "不支持这种文件。可以发送照片（JPG/PNG）、语音或 PDF、Word、文本文件。")
    kind, suffix = UPLOAD_TYPES[mime]
    folder = upload_dir / folder_name / uuid.uuid4().hex[:2]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4().hex}{suffix}"
    size = 0
    try:
        with path.open("wb") as out:
            while chunk := upload.file.read(1024 * 1024):
                size += len(chunk)
                if size > MAX_UPLOAD_BYTES:
                    raise HTTPException(413, f"文件太大了，请发送不超过 {MAX_UPLOAD_BYTES // 1024 // 1024} MB 的文件。")
                out.write(chunk)
        if size == 0:
            raise HTTPException(422, "文件是空的，请重新选择。")
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return kind, path, mime
