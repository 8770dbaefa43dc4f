"""The one exception the EDI syntax layer raises: the document cannot be read at all."""


class EdiError(ValueError):
    """An interchange that cannot be read (or a document that cannot be written).

    ``code`` is short snake_case (``isa_incomplete``, ``count_mismatch``, ``control_mismatch``,
    ``truncated``, ``bad_separator``, ``not_an_interchange``...); ``message`` is for people and
    never quotes business data beyond segment tags and positions.
    """

    def __init__(self, code, message, segment_tag=None, segment_position=None, element_position=None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.segment_tag = segment_tag
        self.segment_position = segment_position
        self.element_position = element_position

    def __str__(self):
        where = []
        if self.segment_tag:
            where.append(f"segment {self.segment_tag}")
        if self.segment_position:
            where.append(f"#{self.segment_position}")
        if self.element_position:
            where.append(f"element {self.element_position}")
        return f"{self.code}: {self.message}" + (f" ({' '.join(where)})" if where else "")

    def __reduce__(self):
        return (
            self.__class__,
            (self.code, self.message, self.segment_tag, self.segment_position, self.element_position),
        )
