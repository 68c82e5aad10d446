"""Files made in the background (``common/generated.py``): queued, built with progress, downloaded by their owner only,
a build's reason shown on failure, pruned after the keep period."""

from datetime import timedelta

import pytest
from django.utils import timezone

from common import generated
from common.errors import Conflict
from common.models import FileStatus, GeneratedFile
from orgs.tests.factories import make_user

pytestmark = pytest.mark.django_db

seen_progress = []


def _build_rows(job, params, progress):
    rows = int(params.get("rows", 3))
    with generated.output(job, ".txt") as path, path.open("w", encoding="utf-8") as out:
        for done in range(1, rows + 1):
            out.write(f"第{done}行\n")
            progress(done, rows)
            seen_progress.append(GeneratedFile.objects.get(pk=job.pk).done)
    return f"测试台账-{job.user.username}.txt"


def _build_small(job, params, progress):
    return "小文件.txt", "内容".encode()


def _build_refused(job, params, progress):
    raise Conflict("筛选条件已失效,请重新选择")


def _build_broken(job, params, progress):
    with generated.output(job, ".txt") as path:
        path.write_text("半个文件")
        raise RuntimeError("boom")


generated.register("test_rows", label="测试台账", build=_build_rows)
generated.register("test_small", label="小文件", build=_build_small)
generated.register("test_refused", label="被拒绝", build=_build_refused)
generated.register("test_broken", label="出错", build=_build_broken)


@pytest.fixture
def owner(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return make_user("file-owner")


def test_a_file_is_built_in_the_background_and_its_owner_downloads_it(client, owner):
    seen_progress.clear()
    job = generated.start(owner, kind="test_rows", params={"rows": 4})
    assert job.status == FileStatus.DONE and job.label == "测试台账" and job.percent == 100
    assert seen_progress[-1] == 4  # the last step is always written, whatever the throttle
    assert job.filename == "测试台账-file-owner.txt" and job.size == len("第1行\n".encode()) * 4

    client.force_login(owner)
    page = client.get(f"/files/{job.pk}/")
    assert page.status_code == 200 and "下载" in page.content.decode()
    listing = client.get("/files/").content.decode()
    assert "测试台账" in listing and f"/files/{job.pk}/download/" in listing
    download = client.get(f"/files/{job.pk}/download/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content).decode() == "第1行\n第2行\n第3行\n第4行\n"
    assert "attachment" in download["Content-Disposition"]


def test_a_small_build_may_return_bytes(owner):
    job = generated.start(owner, kind="test_small")
    _, handle = generated.open_download(owner, job.pk)
    with handle:
        assert handle.read().decode() == "内容"


def test_another_account_gets_404(client, owner):
    job = generated.start(owner, kind="test_small")
    client.force_login(make_user("someone-else"))
    assert client.get(f"/files/{job.pk}/").status_code == 404
    assert client.get(f"/files/{job.pk}/download/").status_code == 404
    assert "小文件" not in client.get("/files/").content.decode()


def test_a_refused_build_shows_its_reason_and_a_broken_one_leaves_no_file(client, owner, tmp_path):
    refused = generated.start(owner, kind="test_refused")
    assert refused.status == FileStatus.FAILED and refused.message == "筛选条件已失效,请重新选择"
    broken = generated.start(owner, kind="test_broken")
    assert broken.status == FileStatus.FAILED and "内部错误" in broken.message
    assert list((tmp_path / "generated").iterdir()) == []  # the half-written file is gone
    client.force_login(owner)
    assert "筛选条件已失效" in client.get(f"/files/{refused.pk}/").content.decode()
    assert client.get(f"/files/{broken.pk}/download/").status_code == 404


def test_a_running_file_polls_and_a_second_worker_does_nothing(client, owner):
    job = GeneratedFile.objects.create(kind="test_small", label="小文件", user=owner, status=FileStatus.RUNNING)
    client.force_login(owner)
    page = client.get(f"/files/{job.pk}/").content.decode()
    assert "every 1s" in page and "生成中" in page
    generated.run(job.pk)  # not queued: another worker has it
    job.refresh_from_db()
    assert job.status == FileStatus.RUNNING and not job.stored_name


def test_an_unknown_kind_is_refused_before_anything_is_queued(owner):
    from common.errors import NotFound

    with pytest.raises(NotFound):
        generated.start(owner, kind="no-such-file")
    assert not GeneratedFile.objects.exists()


def test_old_files_are_pruned_with_their_rows(owner, tmp_path):
    old = generated.start(owner, kind="test_small")
    new = generated.start(owner, kind="test_small")
    GeneratedFile.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=8))
    assert generated.prune() == 1
    assert list(GeneratedFile.objects.values_list("pk", flat=True)) == [new.pk]
    assert [p.name for p in (tmp_path / "generated").iterdir()] == [new.stored_name]
