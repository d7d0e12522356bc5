"""``lambdash init``: a SAM project that deploys an app behind any of AWS's HTTP front doors.

Dev-time only: ``import lambdash`` never loads this package, and PyYAML is imported only when a
template is rendered.

::

    from lambdash.sam import InitOptions, make_project, write_project

    options = InitOptions(app="app:app", gateway="rest", domain="example.com", base_path="dash")
    write_project(Path("."), make_project(options, stack_name="my-dash-app"))
"""

from __future__ import annotations

from lambdash.sam._options import InitError as InitError
from lambdash.sam._options import InitOptions as InitOptions
from lambdash.sam._project import ExistingFilesError as ExistingFilesError
from lambdash.sam._project import ProjectFile as ProjectFile
from lambdash.sam._project import make_project as make_project
from lambdash.sam._project import stack_name_for as stack_name_for
from lambdash.sam._project import write_project as write_project
from lambdash.sam._template import make_template as make_template
from lambdash.sam._template import render_template as render_template

__all__ = [
    "ExistingFilesError",
    "InitError",
    "InitOptions",
    "ProjectFile",
    "make_project",
    "make_template",
    "render_template",
    "stack_name_for",
    "write_project",
]
