"""Course content: pydantic models and the one loader."""

from .loader import ContentError, Course, Module, cached_course, default_data_dir, load_course

__all__ = ["ContentError", "Course", "Module", "cached_course", "default_data_dir", "load_course"]
