"""`extract` command: click's CliRunner and a real subprocess over the seeds."""
import json
import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from indexer.extract.cli import extract_command

ROOT = Path(__file__).resolve().parents[1]
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))


def test_json_one_file_is_one_object():
    result = CliRunner().invoke(extract_command, [str(SEEDS[1])])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["source"] == str(SEEDS[1])
    assert {c["code"] for c in data["countries"]} >= {"IQ", "SY", "GB"}
    assert [t["value"] for t in data["troops"]] == [500, 600]
    text = SEEDS[1].read_text(encoding="utf-8")
    for org in data["organizations"]:
        for m in org["mentions"]:
            assert text[m["start"]:m["end"]] == m["text"]


def test_json_many_files_is_an_array_and_jsonl_is_one_line_each():
    runner = CliRunner()
    result = runner.invoke(extract_command, [str(p) for p in SEEDS[:2]])
    assert [d["source"] for d in json.loads(result.output)] == [str(p) for p in SEEDS[:2]]
    result = runner.invoke(extract_command, ["--format", "jsonl", *map(str, SEEDS)])
    lines = result.output.splitlines()
    assert len(lines) == len(SEEDS)
    assert all(json.loads(line)["source"] for line in lines)


def test_stdin_and_bom():
    result = CliRunner().invoke(extract_command, ["-"], input="\ufeffأرسلت تركيا 500 جندي".encode("utf-8"))
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["source"] == "-" and data["troops"][0]["value"] == 500
    assert data["troops"][0]["start"] == len("أرسلت تركيا ")   # BOM stripped: offsets index the text


def test_bad_files_are_reported_and_the_others_still_processed(tmp_path):
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("caf\xe9".encode("latin-1"))
    result = CliRunner().invoke(extract_command, ["--format", "jsonl", str(tmp_path / "missing.txt"),
                                                  str(bad), str(SEEDS[0])])
    assert result.exit_code == 1
    assert "missing.txt: no such file" in result.stderr
    assert "latin1.txt: not valid UTF-8" in result.stderr
    assert len(result.stdout.splitlines()) == 1


def test_corrections_option_and_environment(tmp_path):
    path = tmp_path / "c.tsv"
    path.write_text("ignore\torg\tالبيت الأبيض\n", encoding="utf-8")
    runner = CliRunner()
    plain = json.loads(runner.invoke(extract_command, [str(SEEDS[3])]).output)
    assert "البيت الأبيض" in [o["name"] for o in plain["organizations"]]
    for args, env in (([f"--corrections={path}"], {}), ([], {"SEARCH_CORRECTIONS": str(path)})):
        data = json.loads(runner.invoke(extract_command, [*args, str(SEEDS[3])], env=env).output)
        assert "البيت الأبيض" not in [o["name"] for o in data["organizations"]]
    result = runner.invoke(extract_command, ["--corrections", str(tmp_path / "nope.tsv"), str(SEEDS[0])])
    assert result.exit_code != 0 and "nope.tsv" in result.output


def test_real_subprocess_over_seeds():
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("SEARCH_CORRECTIONS", None)
    proc = subprocess.run([sys.executable, "-m", "indexer.extract.cli", "--format", "jsonl", *map(str, SEEDS)],
                          capture_output=True, text=True, encoding="utf-8", cwd=ROOT, env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr
    records = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [r["source"] for r in records] == [str(p) for p in SEEDS]
    assert all(set(r) == {"source", "countries", "organizations", "troops"} for r in records)
    assert [t["value"] for t in records[2]["troops"] if t["bound"] != "vague"] == [500, 60000]


def test_text_format_prints_value_kind_noun_and_evidence_per_troop_mention():
    text = "قتل 42 من عناصر داعش، وأرسلت بريطانيا 500 جندي إلى العراق. فنحن 20 مليون جندي."
    result = CliRunner().invoke(extract_command, ["--format", "text", "-"], input=text.encode("utf-8"))
    assert result.exit_code == 0, result.output
    troops = [line.split("\t") for line in result.output.splitlines() if line.startswith("troops\t")]
    assert troops == [
        ["troops", "42", "casualties/killed", "members", "-", "تنظيم الدولة الإسلامية (داعش)", "42 من عناصر"],
        ["troops", "500", "force", "soldiers", "-", "-", "500 جندي"],
        ["troops", "20000000", "force", "soldiers", "implausible,rhetorical", "-", "20 مليون جندي"]]
    data = json.loads(CliRunner().invoke(extract_command, ["-"], input=text.encode("utf-8")).output)
    assert [(t["value"], t["kind"], t["noun"], t["word"], t["text"]) for t in data["troops"]][:2] == [
        (42, "casualties", "members", "عنصر", "42 من عناصر"), (500, "force", "soldiers", "جندي", "500 جندي")]


def test_corrections_override_a_troop_mention_kind(tmp_path):
    path = tmp_path / "c.tsv"
    path.write_text("kind\ttroops\tوأرسلت بريطانيا 500\tkilled\nignore\ttroops\tفنحن 20 مليون\n"
                    "kind\ttroops\tقتل 42 من عناصر\tforce\n", encoding="utf-8")
    text = "قتل 42 من عناصر داعش، وأرسلت بريطانيا 500 جندي إلى العراق. فنحن 20 مليون جندي."
    result = CliRunner().invoke(extract_command, ["--corrections", str(path), "-"], input=text.encode("utf-8"))
    troops = json.loads(result.output)["troops"]
    assert [(t["value"], t["kind"], t["casualty"], t.get("corrected")) for t in troops] == [
        (42, "force", None, True), (500, "casualties", "killed", True)]
    bad = tmp_path / "bad.tsv"
    bad.write_text("kind\ttroops\t500 جندي\tdead\n", encoding="utf-8")
    result = CliRunner().invoke(extract_command, ["--corrections", str(bad), "-"], input=text.encode("utf-8"))
    assert result.exit_code != 0 and "bad.tsv:1: unknown troop kind 'dead'" in result.output
