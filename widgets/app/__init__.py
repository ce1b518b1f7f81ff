"""The trainee's course app: one Voilà page, one kernel per visit, every part inside it."""

from .shell import CourseApp, course_app, preload

__all__ = ["CourseApp", "course_app", "preload"]
