-- +goose Up
-- What an objection case (AVG art. 21) recorded: the activities objected
-- to (keys and names as the register had them, with whether each was
-- direct marketing and on a basis art. 21(1) applies to: JSON, not the
-- person's data) and the outcome. An objection to direct marketing stops it
-- from the day of receipt (from_on), without a balancing; any other is
-- weighed, and the grounds of both sides are the officer's words about the
-- person: sealed in grounds, bound to the case id. Replaced as a whole when
-- the officer saves again.
CREATE TABLE case_objections (
    case_id          INTEGER NOT NULL PRIMARY KEY REFERENCES cases (id) ON DELETE CASCADE,
    activities       TEXT    NOT NULL,
    outcome          TEXT    NOT NULL CHECK (outcome IN ('stopped', 'continued', 'not_applicable')),
    direct_marketing INTEGER NOT NULL CHECK (direct_marketing IN (0, 1)),
    from_on          TEXT    NOT NULL DEFAULT '',
    grounds          BLOB    NOT NULL,
    CHECK (direct_marketing = 0 OR (outcome = 'stopped' AND from_on <> ''))
);

-- The register of marketing stops (art. 21(3)): a direct-marketing
-- activity marked for one person, who must not be approached from from_on
-- on. Who the person is (name, e-mail address) is sealed in person, bound
-- to the row id; email_index is the blind index of the normalised address,
-- as the consent registry has it (0022_consents), so a mailing tool can ask
-- about one address. A stop outlives its case, which is anonymised and
-- deleted in time: it keeps the case's reference as text, and is replaced
-- only when the officer records that case's objection again.
CREATE TABLE marketing_stops (
    id             INTEGER  PRIMARY KEY,
    activity_key   TEXT     NOT NULL REFERENCES activities (key),
    person         BLOB     NOT NULL,
    email_index    TEXT     NOT NULL,
    from_on        TEXT     NOT NULL,
    case_reference TEXT     NOT NULL,
    created_at     DATETIME NOT NULL,
    UNIQUE (case_reference, activity_key)
);
CREATE INDEX marketing_stops_by_activity ON marketing_stops (activity_key, from_on);
CREATE INDEX marketing_stops_by_email_index ON marketing_stops (email_index);

-- +goose Down
DROP INDEX marketing_stops_by_email_index;
DROP INDEX marketing_stops_by_activity;
DROP TABLE marketing_stops;
DROP TABLE case_objections;
