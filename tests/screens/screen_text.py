"""The text a screen shows, as a labeler would read it (for assertions on what is visible)."""


def screen_text(app) -> str:
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)
