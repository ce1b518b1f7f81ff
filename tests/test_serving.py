"""The serving configuration: the measured pitfalls stay fixed."""

from __future__ import annotations

from widgets.serving import TRAINEE_EXTENSIONS, ServeSettings, page_config_hook, voila_config

EXTENSIONS = [
    {"name": "jupyterlab-plotly"},
    {"name": "@jupyter-widgets/jupyterlab-manager"},
    {"name": "@voila-dashboards/widgets-manager8"},
    {"name": "anywidget"},
    {"name": "jupyterlab_pygments"},
]


def test_trainee_pages_load_only_widget_extensions():
    """Does a trainee page keep only the widget extensions (no plotly)?"""
    config = page_config_hook(
        {"federated_extensions": list(EXTENSIONS)}, notebook_path="index.ipynb"
    )
    names = [e["name"] for e in config["federated_extensions"]]
    assert names == [e for e in (x["name"] for x in EXTENSIONS) if e in TRAINEE_EXTENSIONS]
    assert "jupyterlab-plotly" not in names


def test_facilitator_pages_keep_charts():
    """Do facilitator and research pages keep plotly?"""
    for path in ("facilitator/dashboard.ipynb", "research/analysis.ipynb"):
        config = page_config_hook({"federated_extensions": list(EXTENSIONS)}, notebook_path=path)
        assert len(config["federated_extensions"]) == len(EXTENSIONS)


def test_settings_read_environment(monkeypatch):
    """Are settings taken from COURSE_* variables, with defaults otherwise?"""
    monkeypatch.setenv("COURSE_PORT", "9001")
    monkeypatch.setenv("COURSE_COMPRESS", "false")
    settings = ServeSettings()
    assert settings.port == 9001
    assert settings.compress is False
    assert settings.pool_size == 32
    assert settings.fork_kernels is True
    assert settings.ip == "127.0.0.1"


def test_voila_config_guards():
    """Does the Voilà config keep the guards against the pitfalls measured here?"""
    c = voila_config(ServeSettings())
    vc = c.VoilaConfiguration
    assert vc.template == "course"
    assert vc.strip_sources is True
    assert vc.allow_template_override == "NO" and vc.allow_theme_override == "NO"
    assert vc.preheat_kernel is True
    assert c.VoilaKernelManager.kernel_pools_config["index.ipynb"]["pool_size"] == 32
    assert c.VoilaKernelManager.kernel_pools_config["default"]["pool_size"] == 0
    assert c.MappingKernelManager.cull_idle_timeout >= 600
    assert c.MappingKernelManager.cull_connected is False
    assert c.KernelManager.transport == "ipc"
    assert c.ForkProvisioner.enabled is True
    assert vc.multi_kernel_manager_class.endswith("CourseKernelManager")
    assert c.CourseKernelManager.unconnected_timeout == 60
    assert c.Voila.tornado_settings["compress_response"] is True


def test_pool_fill_delay_from_the_environment(monkeypatch):
    """Is the pool's refill delay 0 by default and read from COURSE_POOL_FILL_DELAY?"""
    assert voila_config(ServeSettings()).VoilaKernelManager.fill_delay == 0
    monkeypatch.setenv("COURSE_POOL_FILL_DELAY", "45")
    assert voila_config(ServeSettings()).VoilaKernelManager.fill_delay == 45.0


def test_no_pool_when_disabled():
    """With pool size 0, is preheating off (a kernel per visit)?"""
    settings = ServeSettings()
    settings.pool_size = 0
    assert voila_config(settings).VoilaConfiguration.preheat_kernel is False


def test_facilitator_key_generated_once(tmp_path):
    """Is a facilitator key generated once, kept private, and reused?"""
    settings = ServeSettings()
    settings.facilitator_key = ""
    key = settings.resolved_facilitator_key(tmp_path)
    assert len(key) >= 16
    assert settings.resolved_facilitator_key(tmp_path) == key
    assert oct((tmp_path / "facilitator-key").stat().st_mode & 0o777) == "0o600"


def test_fork_kernels_can_be_turned_off(monkeypatch):
    """Does COURSE_FORK_KERNELS=0 reach the provisioner's setting?"""
    monkeypatch.setenv("COURSE_FORK_KERNELS", "0")
    assert voila_config(ServeSettings()).ForkProvisioner.enabled is False


def test_versioned_static_address_changes_with_the_files(tmp_path):
    """Does the static address change when a file changes (so immutable is safe)?"""
    from widgets.serving.assets import static_version

    (tmp_path / "voila.js").write_text("one")
    before = static_version([str(tmp_path)])
    assert static_version([str(tmp_path)]) == before
    (tmp_path / "voila.js").write_text("two!")
    assert static_version([str(tmp_path)]) != before


def test_hashed_asset_names():
    """Are webpack-hashed names recognised, and plain names not?"""
    from widgets.serving.assets import _hashed_name

    assert _hashed_name("/voila/labextensions/anywidget/static/remoteEntry.698dcaf7.js")
    assert _hashed_name("/x/496.ad7666673ba278088e95.js")
    assert not _hashed_name("/voila/static/9981.voila.js")
    assert not _hashed_name("/voila/templates/course/static/course.css")


def test_page_templates_are_compiled_once():
    """Does a second exporter reuse the first one's compiled templates?"""
    from voila.exporter import VoilaExporter

    from widgets.serving.page_templates import PAGE_TEMPLATE_CACHE, cache_page_templates

    cache_page_templates()
    PAGE_TEMPLATE_CACHE.clear()
    VoilaExporter(template_name="lab").environment.get_template("index.html.j2")
    compiled = len(PAGE_TEMPLATE_CACHE)
    assert compiled > 0
    environment = VoilaExporter(template_name="lab").environment
    assert environment.bytecode_cache is PAGE_TEMPLATE_CACHE
    environment.get_template("index.html.j2")
    assert len(PAGE_TEMPLATE_CACHE) == compiled
