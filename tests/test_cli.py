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


def test_train_accepts_every_registered_model():
    from exohunt.commands.train import _MODEL_NAMES
    from exohunt.models import MODELS

    assert set(_MODEL_NAMES) == set(MODELS)
    from exohunt.commands.train import _NAMED_CONFIGS

    assert _NAMED_CONFIGS == {name: tuple(spec.configs) for name, spec in MODELS.items()
                              if list(spec.configs) != ["default"]}
    from exohunt.commands.train import _UNFOUND_PLANETS
    from exohunt.training.api import UNFOUND_PLANETS

    assert _UNFOUND_PLANETS == UNFOUND_PLANETS
    from exohunt.commands.train import _OBJECTIVE_SNR
    from exohunt.training.api import OBJECTIVE_SNR

    assert _OBJECTIVE_SNR == OBJECTIVE_SNR


def test_per_star_commands_share_the_progress_flags():
    """``--quiet`` and ``--no-progress`` mean the same on every command with a progress bar."""
    import argparse
    import importlib

    for name in ("search", "simulate", "train", "predict", "evaluate"):
        for flag in ("--quiet", "--no-progress"):
            parser = argparse.ArgumentParser()
            importlib.import_module(f"exohunt.commands.{name}").add_arguments(parser)
            actions = [a for a in parser._actions if flag in a.option_strings]
            assert [a.dest for a in actions] == ["quiet"], (name, flag)
