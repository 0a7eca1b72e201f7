//! Resumes written in German, French and Spanish, and one mixing German
//! titles with English bullets, parsed end to end from plain text built
//! here: section titles, dates with local month names and "present" words,
//! degrees, skills and the detected language all come out right.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test file: a panic is the report

use vitae_common::Resume;
use vitae_parser::{parse, Budget, Format};

fn parse_text(text: &str) -> (Resume, Vec<String>) {
    let parsed = parse(
        text.as_bytes(),
        Format::Text,
        &Budget::default(),
        &mut |_, _| {},
    )
    .expect("the resume parses");
    (parsed.document, parsed.warnings)
}

fn language(doc: &Resume) -> Option<&str> {
    doc.extra.get("meta")?.get("language")?.as_str()
}

#[test]
fn german_resume() {
    let text = "\
Anna Schmidt
anna.schmidt@example.de | 0151 12345678 | 10115 Berlin

BERUFSERFAHRUNG

Softwareentwicklerin, Muster GmbH                      März 2020 – heute
- Entwicklung einer Schnittstelle zum ERP-System mit Rust für 300.000 Nutzer
- Betreuung von 4 Werkstudenten und Durchführung von Code-Reviews

Werkstudentin, Beispiel AG                             Okt. 2018 – Feb. 2020
- Migration eines Buchungssystems von PHP nach Kotlin ohne Ausfallzeit

AUSBILDUNG

Technische Universität München                          10.2014 – 09.2018
Master of Science Informatik

KENNTNISSE

Programmiersprachen: Rust, Kotlin, Python
Datenbanken: PostgreSQL, Redis

SPRACHEN

Deutsch (Muttersprache), Englisch (fließend)
";
    let (doc, warnings) = parse_text(text);
    assert_eq!(language(&doc), Some("de"));
    assert_eq!(doc.work.len(), 2, "{:#?}", doc.work);
    assert_eq!(doc.work[0].name.as_deref(), Some("Muster GmbH"));
    assert_eq!(
        doc.work[0].position.as_deref(),
        Some("Softwareentwicklerin")
    );
    assert_eq!(doc.work[0].start_date.as_deref(), Some("2020-03"));
    assert_eq!(doc.work[0].end_date, None);
    assert_eq!(doc.work[1].start_date.as_deref(), Some("2018-10"));
    assert_eq!(doc.work[1].end_date.as_deref(), Some("2020-02"));
    assert_eq!(doc.work[0].highlights.len(), 2);
    assert_eq!(doc.education.len(), 1);
    let edu = &doc.education[0];
    assert_eq!(
        edu.institution.as_deref(),
        Some("Technische Universität München")
    );
    assert_eq!(edu.study_type.as_deref(), Some("Master of Science"));
    assert_eq!(edu.area.as_deref(), Some("Informatik"));
    assert_eq!(edu.start_date.as_deref(), Some("2014-10"));
    let groups: Vec<&str> = doc
        .skills
        .iter()
        .filter_map(|s| s.name.as_deref())
        .collect();
    assert_eq!(groups, ["Programmiersprachen", "Datenbanken"]);
    assert!(!doc.languages.is_empty());
    assert!(
        !warnings.iter().any(|w| w.contains("work experience")),
        "{warnings:?}"
    );
}

#[test]
fn french_resume() {
    let text = "\
Camille Dubois
camille.dubois@example.fr | +33 6 12 34 56 78 | 75008 Paris

EXPÉRIENCE PROFESSIONNELLE

Ingénieure logicielle, Exemple SAS                     janv. 2021 – aujourd'hui
- Développement d'une plateforme de paiement pour les clients de la banque
- Migration des services vers le cloud avec une équipe de cinq personnes

Développeuse, Société Test SARL                        sept. 2018 – déc. 2020
- Mise en place de l'intégration continue pour les applications mobiles

FORMATION

Université de Lyon                                     2015 – 2018
Licence en Informatique

COMPÉTENCES

Langages : Rust, Java, Python

LANGUES

Français (langue maternelle), Anglais (courant)
";
    let (doc, _) = parse_text(text);
    assert_eq!(language(&doc), Some("fr"));
    assert_eq!(doc.work.len(), 2, "{:#?}", doc.work);
    assert_eq!(doc.work[0].start_date.as_deref(), Some("2021-01"));
    assert_eq!(doc.work[0].end_date, None);
    assert_eq!(doc.work[1].start_date.as_deref(), Some("2018-09"));
    assert_eq!(doc.work[1].end_date.as_deref(), Some("2020-12"));
    assert_eq!(doc.work[0].name.as_deref(), Some("Exemple SAS"));
    assert_eq!(doc.education.len(), 1);
    assert_eq!(doc.education[0].study_type.as_deref(), Some("Licence"));
    assert_eq!(doc.education[0].area.as_deref(), Some("Informatique"));
    assert_eq!(
        doc.education[0].institution.as_deref(),
        Some("Université de Lyon")
    );
    assert!(doc
        .skills
        .iter()
        .any(|s| s.keywords.contains(&"Rust".to_string())));
}

#[test]
fn spanish_resume() {
    let text = "\
Lucía Fernández
lucia.fernandez@example.es | +34 612 345 678 | 28013 Madrid

EXPERIENCIA LABORAL

Desarrolladora backend, Ejemplo S.L.                   abr. 2021 – actualidad
- Desarrollo de una plataforma de pagos para los clientes de la empresa
- Migración de los servicios a la nube con el equipo de operaciones

Ingeniera de software, Empresa Prueba S.A.             ene. 2018 – dic. 2020
- Diseño de las herramientas internas para el equipo de ventas

FORMACIÓN ACADÉMICA

Universidad Politécnica de Madrid                      2013 – 2017
Grado en Ingeniería Informática

HABILIDADES

Lenguajes: Rust, Go, SQL

IDIOMAS

Español (nativo), Inglés (avanzado)
";
    let (doc, _) = parse_text(text);
    assert_eq!(language(&doc), Some("es"));
    assert_eq!(doc.work.len(), 2, "{:#?}", doc.work);
    assert_eq!(doc.work[0].start_date.as_deref(), Some("2021-04"));
    assert_eq!(doc.work[0].end_date, None);
    assert_eq!(doc.work[1].end_date.as_deref(), Some("2020-12"));
    assert_eq!(doc.education.len(), 1);
    assert_eq!(doc.education[0].study_type.as_deref(), Some("Grado"));
    assert_eq!(
        doc.education[0].area.as_deref(),
        Some("Ingeniería Informática")
    );
    assert!(doc
        .skills
        .iter()
        .any(|s| s.keywords.contains(&"Go".to_string())));
}

#[test]
fn german_titles_over_english_bullets() {
    let text = "\
Jonas Weber
jonas.weber@example.com | +49 30 1234567

BERUFSERFAHRUNG

Senior Engineer, Example GmbH                          seit 03/2020
- Led the migration of the billing platform to the cloud with zero downtime
- Built the tools for the team and cut the deploy time from 50 to 8 minutes

STUDIUM

Universität Hamburg                                    2012 – 2016
Bachelor of Science in Physics

KENNTNISSE

Rust, Go, Kubernetes
";
    let (doc, warnings) = parse_text(text);
    assert!(
        !warnings.iter().any(|w| w.contains("language")),
        "{warnings:?}"
    );
    assert_eq!(doc.work.len(), 1, "{:#?}", doc.work);
    assert_eq!(doc.work[0].start_date.as_deref(), Some("2020-03"));
    assert_eq!(doc.work[0].end_date, None);
    assert_eq!(doc.education[0].area.as_deref(), Some("Physics"));
    assert!(language(&doc).is_some());
    assert!(doc
        .skills
        .iter()
        .any(|s| s.keywords.contains(&"Go".to_string())));
}

#[test]
fn a_resume_of_bare_keywords_warns_that_its_language_is_unknown() {
    let text = "Jane Doe\njane@example.com\n\nSKILLS\n\nRust, Go, SQL\n";
    let (_, warnings) = parse_text(text);
    assert!(
        warnings.iter().any(|w| w.contains("language")),
        "{warnings:?}"
    );
}
