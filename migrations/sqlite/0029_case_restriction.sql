-- +goose Up
-- What a restriction case (AVG art. 18) restricts: one row per case,
-- replaced as a whole when the officer saves again. activities holds the
-- restricted activities' keys and register names (JSON), ground the letter
-- of art. 18(1), from_on/until_on days (YYYY-MM-DD; until_on '' when the
-- restriction lasts until an event told in words). body is sealed: the
-- data in words, that event and the reason of the lifting speak of the
-- person. lift_on is the day the restriction is lifted, '' until the
-- lifting was announced to the requester (art. 18(3)).
CREATE TABLE case_restrictions (
    case_id    INTEGER PRIMARY KEY REFERENCES cases (id) ON DELETE CASCADE,
    activities TEXT    NOT NULL,
    ground     TEXT    NOT NULL CHECK (ground IN ('accuracy_contested', 'unlawful', 'legal_claims', 'objection_pending')),
    from_on    TEXT    NOT NULL,
    until_on   TEXT    NOT NULL DEFAULT '',
    lift_on    TEXT    NOT NULL DEFAULT '',
    body       BLOB    NOT NULL
);

-- +goose Down
DROP TABLE case_restrictions;
