"""``model-picker run`` over awkward sources, as a user runs it: a real process, real models and files."""

from __future__ import annotations

import shutil
import subprocess
import sys


def cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "model_picker", *args], capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)


def test_a_bad_image_does_not_stop_a_folder_run(photos, tmp_path):
    """Issue 8 item 11: the good images after a bad one were never processed."""
    for name in ("a.jpg", "c.jpg"):
        shutil.copy(photos / "person.jpg", tmp_path / name)
    (tmp_path / "b.jpg").write_bytes(b"\xff\xd8 not really")
    out = cli("run", "ssd_mobilenet_v2_coco_quant", "--source", str(tmp_path), "--quiet")
    assert out.returncode == 0, out.stderr
    assert f"model-picker: warning: skipped {tmp_path / 'b.jpg'}: cannot decode the image" in out.stderr
    assert "Frames     2 in" in out.stdout


def test_a_truncated_video_says_how_many_frames_were_read(media, tmp_path):
    data = (media / "Megamind.avi").read_bytes()
    cut = tmp_path / "cut.avi"
    cut.write_bytes(data[: len(data) // 2])
    out = cli("run", "blazeface_short_range", "--source", str(cut), "--quiet")
    assert out.returncode == 0, out.stderr
    frames = int(out.stdout.split("Frames     ")[1].split()[0])
    assert 0 < frames < 270
    assert f"warning: cut.avi: the file ended early: {frames} of 270 frames read (truncated or damaged)" in out.stderr


def test_a_huge_png_is_refused_before_it_is_decoded(tmp_path):
    from tests.inference.media.test_sources import png_header

    huge = tmp_path / "huge.png"
    huge.write_bytes(png_header(20000, 20000) + b"\x00" * 64)
    out = cli("run", "ssd_mobilenet_v2_coco_quant", "--source", str(huge), "--quiet", timeout=60)
    assert out.returncode != 0
    assert "huge.png: 20000x20000 pixels (400 MP) is over the 50 MP limit for one image: refused" in out.stderr


def test_the_pose_pair_runs_from_the_cli_and_the_single_model_says_why_it_finds_nothing(photos):
    out = cli("run", "blazepose_on_persons", "--source", str(photos / "ThreePersons.jpg"), "--quiet")
    assert out.returncode == 0, out.stderr
    found = int(out.stdout.split("Found      ")[1].split()[0])
    assert found >= 3  # a skeleton for each person
    out = cli("run", "blazepose_landmark_full", "--source", str(photos / "ThreePersons.jpg"), "--quiet")
    assert out.returncode == 0, out.stderr
    assert "Found      0 detections" in out.stdout
    assert ("blazepose_landmark_full expects one person, cropped and centred; on a whole photo run "
            "blazepose_on_persons") in out.stderr
