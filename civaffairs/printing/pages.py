"""Pages that know how many pages there are: "page N of M" footers, `— N —` page numbers.

ReportLab lays a document out in one pass, so the page count is known only at the end.  The
canvas below (the usual NumberedCanvas recipe) keeps each finished page instead of writing it,
and when the document is saved it draws every page's decorations with the page number and the
page count, then writes the pages out.

    doc.build(story, canvasmaker=numbered_canvas(draw_footer))

where `draw_footer(canvas, page, pages)` draws on `canvas` (in page coordinates, state saved
and restored around it) for page `page` (from 1) of `pages`.  Several decorators may be given;
they run in order."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reportlab.pdfgen.canvas import Canvas

PageDecorator = Callable[[Canvas, int, int], None]  # (canvas, page number from 1, page count)


class NumberedCanvas(Canvas):
    """A canvas that defers each page until the page count is known.  Subclass and set
    `decorators`, or use `numbered_canvas()`."""

    decorators: tuple[PageDecorator, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._saved_pages: list[dict[str, Any]] = []
        self.page_count = 0  # known once saved

    def showPage(self) -> None:  # noqa: N802 - ReportLab's name
        self._saved_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        pages = len(self._saved_pages)
        if self._code:  # something drawn after the last showPage: a page of its own
            self._saved_pages.append(dict(self.__dict__))
            pages += 1
        self.page_count = pages
        for number, state in enumerate(self._saved_pages, start=1):
            self.__dict__.update(state)
            for decorate in self.decorators:
                self.saveState()
                decorate(self, number, pages)
                self.restoreState()
            super().showPage()
        self.page_count = pages  # showPage's state copies predate it
        super().save()


def numbered_canvas(*decorators: PageDecorator) -> type[NumberedCanvas]:
    """A canvas class for `doc.build(..., canvasmaker=...)` that runs `decorators` on every page."""
    return type("NumberedCanvas", (NumberedCanvas,), {"decorators": tuple(decorators)})
