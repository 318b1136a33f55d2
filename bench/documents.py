"""Benchmark of documents: the upload and the download of a file at the size limit
(`MOTHERLINE_DOCUMENT_MAX_BYTES`, 10 MB by default), through the real pages — the bounded
in-memory upload handler, the type check, encryption to disk, the audit row; and on the way
back the access policy, decryption chunk by chunk and the streamed response.

It reports, for each, the median wall time over `--repeat` runs and the peak of Python's
allocations during one run (tracemalloc), and the process's peak resident memory (ru_maxrss)
at the end. The request body is built before the clock starts: it stands for the bytes a
server reads from its socket, and Django's test client keeps one copy of it in memory,
which the upload's peak includes.

    .venv/bin/python bench/documents.py --data-dir /tmp/bench-docs
    .venv/bin/python bench/documents.py \\
        --database-url postgres://postgres@127.0.0.1:5432/motherline_bench_docs
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

BOUNDARY = "BenchBoundary7MA4YWxkTrZu0gW"


def configure_django(args: argparse.Namespace) -> None:
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    data_dir = Path(args.data_dir or tempfile.mkdtemp(prefix="bench-docs-")).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    os.environ["MOTHERLINE_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motherline.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def pdf_of_size(size: int) -> bytes:
    """A PDF of exactly `size` bytes: a header, incompressible filler, the end marker."""
    head, tail = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", b"\n%%EOF\n"
    return head + os.urandom(size - len(head) - len(tail)) + tail


def jpeg_near_size(size: int) -> bytes:
    """A photo of noise (it compresses badly, as a detailed photo does) just under `size`."""
    import io

    from PIL import Image

    side, best = 800, b""
    while True:
        image = Image.frombytes("RGB", (side * 4 // 3, side), os.urandom(side * 4 // 3 * side * 3))
        out = io.BytesIO()
        image.save(out, format="JPEG", quality=90)
        if out.tell() > size:
            return best
        best, side = out.getvalue(), int(side * 1.1)


def multipart(fields: dict[str, str], name: str, data: bytes) -> bytes:
    parts = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    ]
    parts.append(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n".encode()
    )
    return b"".join(parts) + data + f"\r\n--{BOUNDARY}--\r\n".encode()


def world() -> tuple[Any, Any]:
    """A monitor and a woman of her organisation (made once, reused by later runs)."""
    from motherline.accounts.models import Organisation, Role, User
    from motherline.jurisdictions.models import Jurisdiction
    from motherline.people.models import Woman

    kh, _ = Jurisdiction.objects.get_or_create(
        code="KH",
        defaults={"name": "Cambodia", "local_language": "km", "time_zone": "Asia/Phnom_Penh"},
    )
    org, _ = Organisation.objects.get_or_create(
        name="Bench NGO", defaults={"kind": "ngo", "jurisdiction": kh}
    )
    user, _ = User.objects.get_or_create(
        username="bench-documents", defaults={"organisation": org, "role": Role.MONITOR}
    )
    woman = Woman.objects.filter(organisation=org).first() or Woman.objects.create(
        organisation=org, name="Bench Woman"
    )
    return user, woman


def measure(fn, repeat: int) -> tuple[float, int]:
    """Median seconds over `repeat` runs, and the tracemalloc peak of one more run."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    tracemalloc.start()
    fn()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return statistics.median(times), peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url")
    parser.add_argument("--data-dir", help="directory of the SQLite file and the uploads")
    parser.add_argument("--size", type=int, default=10 * 1024 * 1024, help="bytes")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--kind", choices=["pdf", "jpeg"], default="pdf", help="a photo is drawn again"
    )
    args = parser.parse_args()
    configure_django(args)

    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from motherline.casework.models import Document

    settings.ALLOWED_HOSTS = ["testserver"]
    settings.MOTHERLINE_TWO_FACTOR = "optional"
    if args.size > settings.MOTHERLINE_DOCUMENT_MAX_BYTES:
        sys.exit(f"--size is over the limit ({settings.MOTHERLINE_DOCUMENT_MAX_BYTES} bytes)")
    user, woman = world()
    client = Client()
    client.force_login(user)
    data = pdf_of_size(args.size) if args.kind == "pdf" else jpeg_near_size(args.size)
    body = multipart({"title": "Bench document", "attach_to": ""}, f"file.{args.kind}", data)
    url = reverse("casework:woman_documents", args=[woman.reference])
    content_type = f"multipart/form-data; boundary={BOUNDARY}"

    def upload() -> None:
        response = client.post(url, data=body, content_type=content_type)
        assert response.status_code == 302, response.status_code

    upload_time, upload_peak = measure(upload, args.repeat)
    document = Document.objects.filter(woman=woman).order_by("-id").first()
    assert document is not None
    stored_size = document.size  # a photo drawn again is not the size it was sent
    download_url = reverse("casework:document", args=[document.pk])

    def download() -> None:
        response = client.get(download_url)
        assert response.status_code == 200, response.status_code
        received = 0
        for piece in response.streaming_content:
            received += len(piece)
        assert received == stored_size

    download_time, download_peak = measure(download, args.repeat)
    maxrss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    mib = 1024 * 1024
    print(
        f"# Documents: upload of a {len(data) / mib:.1f} MiB {args.kind.upper()}, "
        f"download of the {stored_size / mib:.1f} MiB stored"
    )
    print(f"{connection.vendor}, Python {platform.python_version()}, {os.cpu_count()} cores")
    print("| operation | median time | peak Python allocations |")
    print("|---|---|---|")
    for label, seconds, peak in (
        ("upload (POST, check, encrypt, store)", upload_time, upload_peak),
        ("download (GET, decrypt, stream)", download_time, download_peak),
    ):
        print(f"| {label} | {seconds:.3f} s | {peak / mib:.1f} MiB |")
    print(f"process peak resident memory: {maxrss_kb / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
