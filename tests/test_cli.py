import subprocess
import sys

from exohunt.cli import COMMANDS, main


def test_help_lists_every_contract_command(capsys):
    try:
        main(["--help"])
    except SystemExit as stop:
        assert stop.code == 0
    out = capsys.readouterr().out
    for name in COMMANDS:
        assert name in out


def test_console_script_runs():
    result = subprocess.run([sys.executable, "-m", "exohunt.cli", "--version"],
                            capture_output=True, text=True, check=True)
    assert result.stdout.startswith("exohunt ")
