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


def test_search_and_simulate_stay_callable_after_subpackage_import():
    import exohunt
    import exohunt.search
    import exohunt.simulate

    data = exohunt.simulate(preset="kaggle", seed=3, n_train=4, n_test=4)
    assert len(data.train) == 4
    result = exohunt.search(data.train.lightcurve(0))
    assert hasattr(result, "signals")
    import exohunt.predict

    assert callable(exohunt.predict)
