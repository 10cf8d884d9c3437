-- +goose Up
-- The consent registry (AVG art. 6(1)(a), 7): one row per consent of one
-- person to one activity of the register on consent. Who the person is
-- (name, birth date, e-mail address, the representative who consented for
-- them) is personal data: sealed in person, bound to the row id. A
-- consent-withdrawal request finds the person's consents by blind indexes
-- of the normalised e-mail address and of the subject's name, as the queue
-- finds cases (0008_name_search). The withdrawal keeps the case's reference
-- as text: a case is anonymised and later deleted, the registry keeps
-- saying through which request a consent ended.
CREATE TABLE consents (
    id             INTEGER  PRIMARY KEY,
    activity_key   TEXT     NOT NULL REFERENCES activities (key),
    person         BLOB     NOT NULL,
    email_index    TEXT     NOT NULL,
    subject_index  TEXT     NOT NULL,
    given_on       TEXT     NOT NULL,
    given_by       TEXT     NOT NULL CHECK (given_by IN ('self', 'parent', 'guardian', 'representative')),
    withdrawn_on   TEXT     NOT NULL DEFAULT '',
    withdrawn_case TEXT     NOT NULL DEFAULT '',
    created_at     DATETIME NOT NULL
);
CREATE INDEX consents_by_email_index ON consents (email_index);
CREATE INDEX consents_by_subject_index ON consents (subject_index);

-- The consents a consent-withdrawal case withdraws, as the officer chose
-- them; the decision (granted, partially granted) withdraws them as of the
-- case's receipt.
CREATE TABLE case_consents (
    case_id    INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    consent_id INTEGER NOT NULL REFERENCES consents (id) ON DELETE CASCADE,
    PRIMARY KEY (case_id, consent_id)
);

-- +goose Down
DROP TABLE case_consents;
DROP INDEX consents_by_subject_index;
DROP INDEX consents_by_email_index;
DROP TABLE consents;
