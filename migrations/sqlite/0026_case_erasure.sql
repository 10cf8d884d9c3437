-- +goose Up
-- What an erasure case (AVG art. 17) did with each activity chosen on it:
-- erased, or kept because a law forbids destruction (art. 17(3)(b), e.g.
-- AWR art. 52 for invoices), with that statute and the last day kept
-- (DOMAIN.md §5). One row per chosen activity, replaced as a whole when the
-- officer saves again. system names where the data were erased and ground
-- a statute: citations and system names, not the person's data, so they
-- are not sealed (the person is known only through case_id).
CREATE TABLE case_erasure_items (
    case_id  INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    activity TEXT    NOT NULL,
    -- the activity's name in the register when the item was recorded, as
    -- the decision letter names it
    name     TEXT    NOT NULL DEFAULT '',
    action   TEXT    NOT NULL CHECK (action IN ('erased', 'kept')),
    system   TEXT    NOT NULL DEFAULT '',
    ground   TEXT    NOT NULL DEFAULT '',
    until    TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (case_id, activity),
    CHECK (action = 'kept' OR (ground = '' AND until = '')),
    CHECK (action = 'erased' OR (ground <> '' AND until <> ''))
);

-- +goose Down
DROP TABLE case_erasure_items;
