"""The example unit files in deploy/ name a command, and options, that exist."""

import configparser
import shlex
from pathlib import Path

import click
import pytest
import yaml
from click.testing import CliRunner

from lockin.report.command import report
from lockin.report.periods import resolve_period

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
SHELL_OPERATORS = {"&&", "||", ";", "|", ">", ">>", "<", "&", "2>&1"}


def unit(name):
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # systemd keys are case-sensitive
    parser.read_string((DEPLOY / name).read_text())
    return parser


def lockin_report_arguments(command_line):
    """The arguments after ``lockin report`` in a shell or ExecStart command line."""
    lexer = shlex.shlex(command_line, posix=True, punctuation_chars=";&|<>")
    lexer.whitespace_split = True
    tokens = list(lexer)
    starts = [index for index, token in enumerate(tokens[:-1]) if Path(token).name == "lockin" and tokens[index + 1] == "report"]
    assert len(starts) == 1, f"expected one 'lockin report' in {command_line!r}"
    arguments = []
    for token in tokens[starts[0] + 2 :]:
        if token in SHELL_OPERATORS:
            break
        arguments.append(token)
    return tokens[starts[0]], arguments


def cron_commands():
    commands = []
    for line in (DEPLOY / "lockin-report.cron").read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#") or "=" in line.split()[0]:
            continue
        fields = line.split(None, 6)
        assert len(fields) == 7, f"an /etc/cron.d line has 5 time fields, a user and a command: {line!r}"
        commands.append(fields[6].replace("\\%", "%"))
    return commands


def service_command():
    return unit("lockin-report.service")["Service"]["ExecStart"]


def cronjob():
    return yaml.safe_load((DEPLOY / "lockin-report-cronjob.yaml").read_text())


def cronjob_container():
    [container] = cronjob()["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"]
    return container


def cronjob_command():
    container = cronjob_container()
    assert container["command"][:2] == ["/bin/sh", "-c"]
    return container["command"][2]


def check_arguments(arguments):
    """Parse like click would, without touching the (example) paths."""
    context = click.Context(report)
    values, extra, _ = report.make_parser(context).parse_args(list(arguments))
    assert extra == [], f"stray arguments {extra}"
    assert "period" in values, "--period is required"
    resolve_period(values["period"], values.get("cadence", "month"))
    choices = {parameter.name: parameter.type.choices for parameter in report.params if isinstance(parameter.type, click.Choice)}
    for name, allowed in choices.items():
        if name in values:
            assert values[name] in allowed
    if "timeout" in values:
        assert int(values["timeout"]) >= 1
    return values


def test_the_report_command_exists_and_has_help():
    result = CliRunner().invoke(report, ["--help"])
    assert result.exit_code == 0
    assert "--period" in result.output and "--no-progress" in result.output


def test_the_deploy_folder_ships_a_service_a_timer_a_cron_line_and_a_cronjob():
    assert {path.name for path in DEPLOY.iterdir()} >= {"lockin-report.service", "lockin-report.timer", "lockin-report.cron", "lockin-report-cronjob.yaml"}


@pytest.mark.parametrize("source", ["service", "cron", "cronjob"])
def test_every_example_runs_lockin_report_with_options_it_accepts(source):
    command_lines = {"service": lambda: [service_command()], "cron": cron_commands, "cronjob": lambda: [cronjob_command()]}[source]()
    assert command_lines
    for command_line in command_lines:
        executable, arguments = lockin_report_arguments(command_line)
        # The wheel's lockin in its virtual environment, not a checkout's.
        assert executable == "/opt/lockin/bin/lockin", "the command is the installed lockin, by absolute path"
        values = check_arguments(arguments)
        assert values["period"] == "auto"
        assert values.get("no_progress") is True, "no progress bars in a log"


def test_service_and_cron_run_the_same_report():
    _, from_service = lockin_report_arguments(service_command())
    [cron] = cron_commands()
    _, from_cron = lockin_report_arguments(cron)
    assert from_service == from_cron


def test_the_cronjob_runs_once_at_a_time_on_the_last_day_and_keeps_the_reports():
    job = cronjob()
    assert job["apiVersion"] == "batch/v1" and job["kind"] == "CronJob"
    assert job["spec"]["concurrencyPolicy"] == "Forbid"
    # The same last-day rule as the cron line: the 28th to the 31st, going
    # on only when tomorrow is the 1st.
    cron_lines = [line for line in (DEPLOY / "lockin-report.cron").read_text().splitlines() if line[:1].isdigit()]
    assert [job["spec"]["schedule"].split()] == [line.split()[:5] for line in cron_lines]
    assert cronjob_command().startswith('[ "$(date -d tomorrow +%d)" = 01 ] || exit 0;')
    values = check_arguments(lockin_report_arguments(cronjob_command())[1])
    mounts = {mount["mountPath"]: mount for mount in cronjob_container()["volumeMounts"]}
    assert mounts[values["out_dir"]].get("readOnly") is not True
    assert str(Path(values["history_db"]).parent) in mounts
    volumes = {volume["name"]: volume for volume in job["spec"]["jobTemplate"]["spec"]["template"]["spec"]["volumes"]}
    assert "persistentVolumeClaim" in volumes[mounts[values["out_dir"]]["name"]], "the history must outlive the pod"


def test_the_timer_starts_the_service_from_the_deploy_folder():
    timer = unit("lockin-report.timer")
    assert timer["Timer"]["Unit"] == "lockin-report.service"
    assert timer["Timer"]["OnCalendar"]
    assert timer["Install"]["WantedBy"] == "timers.target"
    assert unit("lockin-report.service")["Service"]["Type"] == "oneshot"


def test_the_check_catches_an_option_the_command_does_not_have():
    with pytest.raises(click.NoSuchOption):
        check_arguments(["--period", "auto", "--outdir", "/srv/reports"])
