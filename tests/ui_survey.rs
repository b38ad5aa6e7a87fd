//! Surveys end to end on the real kiosk, headless. Who must be stopped: the next customer
//! reading the last one's answers (they vanish when a survey ends or times out; results
//! show only in staff mode), a customer inheriting a staff session (handing a survey over
//! closes staff mode), a comment with control characters or 10,000 characters (refused at
//! the keyboard), and someone pressing a smiley twenty times (one vote per lock). Who gets
//! through: a customer answering every kind of question in their own language, going back,
//! switching language mid-survey, and a member whose answers are linked to them.
mod common;

use std::time::Duration;

use common::{
    Harness, advance, demo_programme, open_staff_sign_in, run_on_event_loop, staff, wait_until,
};
use member_kiosk::config::Config;
use member_kiosk::devices::DeviceEvent;
use member_kiosk::domain::phone::E164;
use member_kiosk::ui::navigator::Page;
use member_kiosk::ui::{SmileyAdapter, SurveyAdapter};
use slint::ComponentHandle;

fn count(h: &Harness, sql: &str) -> i64 {
    h.inspect()
        .connection()
        .query_row(sql, [], |r| r.get(0))
        .unwrap()
}

#[test]
fn surveys_question_by_question_abandonment_results_and_the_smiley_terminal() {
    let h = Harness::start(Config {
        staff: Some(staff(&[("amy", "Amy", "246813")])),
        loyalty: demo_programme(),
        ..Config::default()
    });
    run_on_event_loop(async move {
        let page = || h.kiosk.ui.page();
        let survey = || h.app().global::<SurveyAdapter>();
        let sign_in = || async {
            open_staff_sign_in(&h);
            h.tap_digits("246813");
            h.tap("PinOk::ok-button");
            wait_until("staff home", || page() == Page::Staff).await;
        };
        let open_surveys = || async {
            sign_in().await;
            h.tap("Actions::survey-button");
            wait_until("the surveys", || h.text_shown("Tell us how we did")).await;
        };

        // A member to link answers to.
        h.tap("AttractPage::join-button");
        h.sign_up("91234567").await;
        h.tap("WelcomePage::done-button");
        let member = h
            .inspect()
            .member_by_phone(&E164::from_stored("+85291234567".into()))
            .unwrap()
            .unwrap()
            .id;

        // Staff hand the built-in survey over: staff mode closes first.
        open_surveys().await;
        h.tap("SurveyRow::start-survey");
        assert_eq!(page(), Page::SurveyStart);
        h.assert_text("Your answers are anonymous. Members may scan their code or tap their card first to link them.");
        let trail = h.inspect().staff_audit_trail().unwrap();
        assert_eq!(trail.last().map(|(_, _, a)| a.as_str()), Some("signed_out"));
        // The member scans their code: the answers will be theirs.
        h.kiosk.ui.device_event(DeviceEvent::Scan {
            text: h.member_code(&member),
            symbology: None,
        });
        wait_until("the member linked", || {
            h.text_shown("Your answers will be linked to member ****4567.")
        })
        .await;
        h.tap("SurveyStartPage::start-button");
        assert_eq!(page(), Page::Survey);

        // NPS: a 6 brings the follow-up "what could we do better?".
        h.assert_text("How likely are you to recommend us to a friend?");
        h.assert_text("Question 1 of 4");
        h.tap_text_button("6");
        h.assert_text("What could we do better?");
        h.assert_text("Question 2 of 5");
        // Typed on the on-screen keyboard, in Traditional Chinese mid-way.
        for key in ["t", "o", "o"] {
            h.tap_text_button(key);
        }
        h.tap("LanguageBar::zh-hant");
        h.assert_text("我們可以怎樣做得更好？");
        assert_eq!(
            survey().get_comment(),
            "too",
            "the language switch loses nothing"
        );
        h.tap("Keyboard::space-key");
        h.type_on_keyboard("slow");
        h.tap("LanguageBar::en");
        assert_eq!(survey().get_comment(), "too slow");
        // Control characters and a comment past 500 characters are refused.
        h.type_on_keyboard("\u{1b}");
        h.assert_text("That cannot be added to the comment.");
        h.type_on_keyboard(&"x".repeat(600));
        assert_eq!(survey().get_comment().chars().count(), 500);
        h.assert_text("0 characters left");
        for _ in 0..492 {
            h.tap("Keyboard::delete-key");
        }
        assert_eq!(survey().get_comment(), "too slow");

        // Back to the score: it is still there; a 9 makes the follow-up go away.
        h.tap("PageHeader::back-button");
        assert_eq!(survey().get_score(), 6);
        h.tap_text_button("9");
        h.assert_text("How satisfied were you with our service today?");
        h.assert_text("Question 2 of 4");
        // And back again to a 6: the follow-up returns with what was typed.
        h.tap("PageHeader::back-button");
        h.tap_text_button("6");
        assert_eq!(survey().get_comment(), "too slow");
        h.tap("Actions::next-button");

        // CSAT: five stars.
        h.assert_text("How satisfied were you with our service today?");
        h.tap_text_button("4 of 5 stars");
        // Single choice: one tap.
        h.tap_text_button("Shopping");
        // Multiple choice: at least one, at most two.
        h.assert_text("Choose 1 to 2");
        h.tap("Actions::next-button");
        h.assert_text("Please choose at least 1.");
        for choice in ["The products", "The prices", "The staff"] {
            h.tap_text_button(choice);
        }
        h.tap("Actions::next-button");
        h.assert_text("Please choose at most 2.");
        h.tap_text_button("The prices");
        h.tap("Actions::next-button");
        wait_until("the thanks", || page() == Page::SurveyThanks).await;
        h.assert_text("Thank you for your feedback!");

        // Stored with its version, the member and how they identified, and one event.
        let store = h.inspect();
        let (who, how, version): (String, String, i64) = store
            .connection()
            .query_row(
                "SELECT member_id, identified_by, survey_version FROM survey_responses
                 WHERE completed_at IS NOT NULL",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert_eq!(
            (who.as_str(), how.as_str(), version),
            (member.as_str(), "scan", 1)
        );
        let events: Vec<serde_json::Value> = store
            .outbox_peek(100)
            .unwrap()
            .into_iter()
            .filter(|e| e.kind == "survey_answered")
            .map(|e| serde_json::from_str(&e.payload).unwrap())
            .collect();
        assert_eq!(events.len(), 1);
        let answers: Vec<(String, serde_json::Value)> = events[0]["answers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                (
                    a["question_id"].as_str().unwrap().to_owned(),
                    a["value"].clone(),
                )
            })
            .collect();
        assert_eq!(
            answers,
            [
                ("recommend".into(), serde_json::json!(6)),
                ("why".into(), serde_json::json!("too slow")),
                ("service".into(), serde_json::json!(4)),
                ("came_for".into(), serde_json::json!(0)),
                ("liked".into(), serde_json::json!([0, 2])),
            ]
        );
        assert_eq!(events[0]["language"], "en");
        drop(store);

        // The thank-you page goes by itself, and nothing of the answers stays on screen.
        advance(Duration::from_secs(6));
        assert_eq!(page(), Page::Attract);
        assert_eq!(survey().get_comment(), "");
        assert_eq!(survey().get_member_masked(), "");

        // A survey may follow every sign-up; walked away from, it is abandoned and its
        // answers are not kept.
        open_surveys().await;
        h.tap("SurveyRow::after-signup-tick");
        h.tap("PageHeader::back-button");
        h.tap("DoneButton::exit-button");
        h.tap("AttractPage::join-button");
        h.sign_up("61234567").await;
        h.tap("WelcomePage::done-button");
        wait_until("the survey after the sign-up", || {
            page() == Page::SurveyStart
        })
        .await;
        h.assert_text("Your answers will be linked to member ****4567.");
        h.tap("SurveyStartPage::start-button");
        h.tap_text_button("10");
        advance(Duration::from_secs(21));
        assert!(h.is_shown("StillThere::still-here"));
        advance(Duration::from_secs(11));
        assert_eq!(page(), Page::Attract);
        wait_until("the abandonment counted", || {
            count(
                &h,
                "SELECT COUNT(*) FROM survey_responses WHERE abandoned_at IS NOT NULL",
            ) == 1
        })
        .await;
        assert_eq!(
            count(
                &h,
                "SELECT answered FROM survey_responses WHERE abandoned_at IS NOT NULL"
            ),
            1
        );
        assert_eq!(
            count(&h, "SELECT COUNT(*) FROM survey_answers"),
            5,
            "only the finished survey's answers are kept"
        );

        // Results, for staff only: one response, one abandoned, too few for an NPS.
        open_surveys().await;
        h.tap("StaffSurveysPage::results-button");
        wait_until("the results", || h.text_shown("Responses: 1")).await;
        h.assert_text("Abandoned: 1 (50%)");
        h.assert_text("NPS: Not enough answers yet (1 of 30)");
        h.assert_text("Satisfaction: 4.0 / 5");

        // The smiley terminal: twenty presses make one vote until the lock ends.
        h.tap("PageHeader::back-button");
        h.tap("StaffSurveysPage::smiley-button");
        assert_eq!(page(), Page::Attract);
        assert!(h.app().global::<SmileyAdapter>().get_on());
        // Four faces, no neutral one.
        h.assert_text("How was your visit today?");
        for face in ["Very unhappy", "Unhappy", "Happy", "Very happy"] {
            h.element_labelled(face);
        }
        for _ in 0..20 {
            h.tap("Faces::very-happy");
        }
        h.assert_text("Thank you!");
        advance(Duration::from_secs(5));
        h.tap("Faces::unhappy");
        let votes = "SELECT COUNT(*) FROM survey_responses WHERE survey_id = 'kiosk-smiley'";
        wait_until("two votes", || count(&h, votes) == 2).await;
        advance(Duration::from_secs(2));
        h.tap("Faces::happy");
        advance(Duration::from_secs(5));
        assert_eq!(
            count(&h, votes),
            2,
            "a press during the lock does not count"
        );

        // Staff see the votes and turn the terminal off again.
        open_surveys().await;
        h.tap("StaffSurveysPage::results-button");
        wait_until("the votes", || {
            h.text_shown("Smiley terminal: 2 votes, average 3.0 / 4, by hour")
        })
        .await;
        h.tap("PageHeader::back-button");
        h.tap("StaffSurveysPage::smiley-button");
        assert!(!h.app().global::<SmileyAdapter>().get_on());
    });
}
