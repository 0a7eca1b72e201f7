//! The curated vocabulary of skills and tools, and how to find them in text.
//!
//! Keyword extraction, resume matching and the faithfulness checks all use
//! this one matcher, so "the job asks for k8s" and "the resume mentions
//! Kubernetes" meet on the same canonical name.
//!
//! Matching rules:
//! - Patterns match case-insensitively on token boundaries: the character
//!   before a match is not a letter, digit, `_`, `.` or `-` (so `JS` is not
//!   found inside `Node.js`, nor `C` inside `Objective-C`), and the character
//!   after is not a letter, digit, `_`, `+` or `#`, nor a `.` followed by a
//!   letter or digit (so `C` is not found in `C++` or `C#`).
//! - Patterns written with a leading `=` in the table match only with exactly
//!   that capitalisation. Common English words that are also tool names
//!   (`React`, `Go`, `Express`, `Swift`, `Spark`, `Helm`, `REST`, ...) are
//!   written that way so "react to incidents" or "take the helm" are no hits.
//! - The single letters `C` and `R` and the word `Go` have extra guards
//!   (see `guard`): no `R&D`, `C-level`, `Series C`, `Go to market`.
//! - Where patterns overlap, the longest match at the earliest position wins
//!   (`Google Cloud Platform` is one hit, not `Google Cloud` plus more).
//! - Runs of whitespace in the text count as one space, so a skill broken
//!   over two lines is still found.

use std::collections::HashMap;
use std::sync::OnceLock;

/// One vocabulary entry: the canonical name, and the other ways it is
/// written. The canonical name itself matches case-insensitively unless the
/// aliases contain it with a leading `=` (then only that exact spelling).
pub struct Entry {
    pub name: &'static str,
    pub aliases: &'static [&'static str],
}

const fn e(name: &'static str, aliases: &'static [&'static str]) -> Entry {
    Entry { name, aliases }
}

/// The vocabulary, grouped by kind. Soft skills are deliberately absent:
/// they cannot be checked and every resume claims them.
pub static ENTRIES: &[Entry] = &[
    // Programming languages.
    e("Python", &["Python3", "Python 3"]),
    e("Java", &[]),
    e(
        "JavaScript",
        &["JS", "ECMAScript", "ES6", "ES2015", "Javascript ES6"],
    ),
    e("TypeScript", &["=TS"]),
    e("Go", &["=Go", "Golang", "Go lang"]),
    e("Rust", &[]),
    e("C", &["=C", "ANSI C"]),
    e("C++", &["CPP", "C plus plus"]),
    e("C#", &["CSharp", "C Sharp"]),
    e("Ruby", &[]),
    e("PHP", &[]),
    e("Kotlin", &[]),
    e("Swift", &["=Swift"]),
    e("Objective-C", &["ObjC", "Obj-C", "Objective C"]),
    e("Scala", &[]),
    e("R", &["=R", "R language", "RStudio"]),
    e("Perl", &[]),
    e("Haskell", &[]),
    e("Elixir", &[]),
    e("Erlang", &[]),
    e("Clojure", &["ClojureScript"]),
    e("F#", &["FSharp"]),
    e("OCaml", &[]),
    e("Lua", &[]),
    e("Dart", &["=Dart"]),
    e("Julia", &["=Julia"]),
    e("MATLAB", &[]),
    e("Fortran", &[]),
    e("COBOL", &[]),
    e("Groovy", &["=Groovy"]),
    e(
        "Bash",
        &["shell scripting", "Bash scripting", "shell scripts"],
    ),
    e("PowerShell", &[]),
    e("SQL", &[]),
    e("PL/SQL", &["PLSQL"]),
    e("T-SQL", &["TSQL", "Transact-SQL"]),
    e("NoSQL", &[]),
    e("Solidity", &[]),
    e("Zig", &["=Zig"]),
    e("Visual Basic", &["VB.NET", "VBA"]),
    e(
        "Assembly",
        &[
            "=Assembly",
            "assembly language",
            "x86 assembly",
            "ARM assembly",
        ],
    ),
    e("WebAssembly", &["Wasm"]),
    e("HTML", &["HTML5"]),
    e("CSS", &["CSS3"]),
    e("Sass", &["SCSS"]),
    e("Elm", &["=Elm"]),
    e("VHDL", &[]),
    e("Verilog", &["SystemVerilog"]),
    // Front end and mobile.
    e("React", &["=React", "React.js", "ReactJS", "React JS"]),
    e("Angular", &["AngularJS", "Angular.js"]),
    e("Vue.js", &["Vue", "VueJS", "Vue 3", "Vue.js 3"]),
    e("Svelte", &["SvelteKit"]),
    e("Next.js", &["NextJS", "Next JS"]),
    e("Nuxt", &["Nuxt.js", "NuxtJS"]),
    e("Redux", &["Redux Toolkit"]),
    e("jQuery", &[]),
    e("Ember.js", &["=Ember", "EmberJS"]),
    e("Backbone.js", &["=Backbone", "BackboneJS"]),
    e("Tailwind CSS", &["Tailwind", "TailwindCSS"]),
    e("Bootstrap", &["=Bootstrap"]),
    e("Material UI", &["MUI", "Material-UI"]),
    e("webpack", &[]),
    e("Vite", &["=Vite", "Vitejs"]),
    e("Babel", &["=Babel"]),
    e("Storybook", &[]),
    e("RxJS", &[]),
    e("Three.js", &["ThreeJS"]),
    e("D3.js", &["=D3", "D3js"]),
    e("Gatsby", &["=Gatsby", "GatsbyJS"]),
    e("React Native", &[]),
    e("Flutter", &[]),
    e("Ionic", &["=Ionic"]),
    e("Electron", &["=Electron", "ElectronJS"]),
    e("SwiftUI", &[]),
    e("UIKit", &[]),
    e("Jetpack Compose", &[]),
    e("Xamarin", &[]),
    e("Qt", &["=Qt"]),
    e("iOS", &[]),
    e("Android", &[]),
    e("WebGL", &[]),
    e("Responsive Design", &["responsive web design"]),
    e("Accessibility", &["a11y", "web accessibility"]),
    e("WCAG", &[]),
    // Back end and runtimes.
    e("Node.js", &["=Node", "NodeJS", "Node JS"]),
    e("Express", &["=Express", "Express.js", "ExpressJS"]),
    e("NestJS", &["Nest.js"]),
    e("Deno", &[]),
    e("Django", &["Django REST Framework", "DRF"]),
    e("Flask", &["=Flask"]),
    e("FastAPI", &[]),
    e("Spring Boot", &["SpringBoot"]),
    e("Spring", &["=Spring", "Spring Framework", "Spring MVC"]),
    e("Ruby on Rails", &["=Rails", "RoR", "Ruby-on-Rails"]),
    e("Laravel", &[]),
    e("Symfony", &[]),
    e(".NET", &["dotnet", ".NET Core", ".NET Framework", ".NET 6"]),
    e("ASP.NET", &["ASP.NET Core", "ASP.NET MVC"]),
    e("Entity Framework", &[]),
    e("Hibernate", &["=Hibernate"]),
    e("Tokio", &["=Tokio"]),
    e("Actix", &["actix-web"]),
    e("Axum", &[]),
    e("Ktor", &[]),
    e("Quarkus", &[]),
    e("Micronaut", &[]),
    e("Akka", &[]),
    e("Play Framework", &[]),
    e("Celery", &["=Celery"]),
    e("Sidekiq", &[]),
    e("gRPC", &[]),
    e("Protocol Buffers", &["protobuf", "protobufs"]),
    e("GraphQL", &[]),
    e(
        "Apollo GraphQL",
        &["=Apollo", "Apollo Client", "Apollo Server"],
    ),
    e(
        "REST",
        &["=REST", "RESTful", "REST API", "REST APIs", "RESTful APIs"],
    ),
    e("SOAP", &["=SOAP"]),
    e("WebSockets", &["WebSocket"]),
    e("OpenAPI", &["Swagger"]),
    e("JSON", &[]),
    e("XML", &[]),
    e("YAML", &[]),
    // Databases and storage.
    e("PostgreSQL", &["Postgres", "Postgre", "PostgresQL", "psql"]),
    e("MySQL", &[]),
    e("MariaDB", &[]),
    e("SQLite", &[]),
    e("Oracle Database", &["=Oracle", "Oracle DB", "Oracle SQL"]),
    e(
        "Microsoft SQL Server",
        &["SQL Server", "MSSQL", "MS SQL", "MS SQL Server"],
    ),
    e("MongoDB", &["Mongo"]),
    e("Redis", &[]),
    e("Cassandra", &["Apache Cassandra"]),
    e("DynamoDB", &["Amazon DynamoDB", "Dynamo DB"]),
    e("Elasticsearch", &["Elastic Search"]),
    e("OpenSearch", &[]),
    e("Neo4j", &[]),
    e("CouchDB", &[]),
    e("Couchbase", &[]),
    e("Firebase", &[]),
    e("Firestore", &[]),
    e("Supabase", &[]),
    e("Snowflake", &["=Snowflake"]),
    e("BigQuery", &["Google BigQuery", "Big Query"]),
    e("Amazon Redshift", &["Redshift"]),
    e("ClickHouse", &[]),
    e("CockroachDB", &[]),
    e("InfluxDB", &[]),
    e("TimescaleDB", &[]),
    e("Memcached", &[]),
    e("SQLAlchemy", &[]),
    e("Prisma", &["=Prisma"]),
    e("Apache Solr", &["Solr"]),
    e("HBase", &[]),
    e("Teradata", &[]),
    e("IBM Db2", &["DB2"]),
    e("Cosmos DB", &["CosmosDB", "Azure Cosmos DB"]),
    e("Amazon Aurora", &[]),
    e("Pinecone", &["=Pinecone"]),
    // Cloud.
    e("AWS", &["Amazon Web Services"]),
    e("Google Cloud", &["GCP", "Google Cloud Platform"]),
    e("Azure", &["Microsoft Azure"]),
    e("DigitalOcean", &["Digital Ocean"]),
    e("Heroku", &[]),
    e("Cloudflare", &["Cloudflare Workers"]),
    e("Vercel", &[]),
    e("Netlify", &[]),
    e("OpenStack", &[]),
    e("AWS Lambda", &["=Lambda"]),
    e("Amazon EC2", &["EC2"]),
    e("Amazon S3", &["=S3", "AWS S3"]),
    e("Amazon ECS", &["=ECS", "AWS ECS"]),
    e("Amazon EKS", &["=EKS", "AWS EKS"]),
    e("AWS Fargate", &["Fargate"]),
    e("AWS CloudFormation", &["CloudFormation"]),
    e("Amazon CloudWatch", &["CloudWatch"]),
    e("Amazon SQS", &["=SQS", "AWS SQS"]),
    e("Amazon SNS", &["=SNS", "AWS SNS"]),
    e("Amazon Kinesis", &["Kinesis"]),
    e("AWS IAM", &["=IAM"]),
    e("AWS CDK", &["=CDK"]),
    e("Azure DevOps", &[]),
    e("Azure Functions", &[]),
    e("Google Kubernetes Engine", &["=GKE"]),
    e("Azure Kubernetes Service", &["=AKS"]),
    e("Google Cloud Run", &["Cloud Run"]),
    e("Google App Engine", &["App Engine"]),
    e("Google Pub/Sub", &["Pub/Sub", "PubSub"]),
    e("Serverless", &[]),
    // DevOps, infrastructure and observability.
    e("Docker", &["Dockerfile", "Docker Compose"]),
    e("Kubernetes", &["k8s", "kube"]),
    e("Helm", &["=Helm", "Helm charts"]),
    e("Terraform", &[]),
    e("Pulumi", &[]),
    e("Ansible", &[]),
    e("Chef", &["=Chef"]),
    e("Puppet", &["=Puppet"]),
    e("Jenkins", &[]),
    e("GitHub Actions", &[]),
    e("GitLab CI", &["GitLab CI/CD"]),
    e("CircleCI", &["Circle CI"]),
    e("Travis CI", &["TravisCI"]),
    e("Argo CD", &["ArgoCD"]),
    e("Spinnaker", &[]),
    e("Git", &[]),
    e("GitHub", &[]),
    e("GitLab", &[]),
    e("Bitbucket", &[]),
    e("Linux", &[]),
    e("Unix", &[]),
    e("macOS", &["OS X"]),
    e("Windows Server", &[]),
    e("Nginx", &[]),
    e("Apache HTTP Server", &["Apache httpd", "httpd"]),
    e("HAProxy", &[]),
    e("Envoy", &["=Envoy"]),
    e("Istio", &[]),
    e("Linkerd", &[]),
    e("Consul", &["=Consul"]),
    e("HashiCorp Vault", &["=Vault"]),
    e("Nomad", &["=Nomad", "HashiCorp Nomad"]),
    e("Prometheus", &[]),
    e("Grafana", &[]),
    e("Datadog", &[]),
    e("New Relic", &[]),
    e("Splunk", &[]),
    e("ELK Stack", &["=ELK", "Elastic Stack"]),
    e("Kibana", &[]),
    e("Logstash", &[]),
    e("Sentry", &["=Sentry"]),
    e("PagerDuty", &[]),
    e("OpenTelemetry", &["OTel"]),
    e("Jaeger", &["=Jaeger"]),
    e("Vagrant", &["=Vagrant"]),
    e("Podman", &[]),
    e("OpenShift", &[]),
    e("Bazel", &[]),
    e("Maven", &["=Maven"]),
    e("Gradle", &[]),
    e("CMake", &[]),
    e("npm", &[]),
    e("Yarn", &["=Yarn"]),
    e("pnpm", &[]),
    e(
        "CI/CD",
        &[
            "CI-CD",
            "CICD",
            "CI / CD",
            "continuous integration",
            "continuous delivery",
            "continuous deployment",
        ],
    ),
    e("DevOps", &[]),
    e("DevSecOps", &[]),
    e("GitOps", &[]),
    e("SRE", &["=SRE", "site reliability engineering"]),
    e("Infrastructure as Code", &["IaC", "infrastructure-as-code"]),
    e("Observability", &[]),
    e("Chaos Engineering", &[]),
    e("Load Balancing", &["load balancers", "load balancer"]),
    e("CDN", &["=CDN", "CDNs"]),
    e("DNS", &["=DNS"]),
    e("TCP/IP", &[]),
    e(
        "Computer Networking",
        &["network protocols", "networking protocols"],
    ),
    // Messaging and data engineering.
    e("Apache Kafka", &["Kafka", "Kafka Streams"]),
    e("RabbitMQ", &[]),
    e("ActiveMQ", &[]),
    e("NATS", &["=NATS"]),
    e("ZeroMQ", &["ZMQ"]),
    e("Apache Pulsar", &[]),
    e("Apache Flink", &["Flink"]),
    e("Apache Spark", &["=Spark", "Spark Streaming"]),
    e("PySpark", &[]),
    e("Hadoop", &["HDFS", "MapReduce"]),
    e("Apache Airflow", &["Airflow"]),
    e("dbt", &["=dbt", "data build tool"]),
    e("Apache Beam", &[]),
    e("Databricks", &[]),
    e("Apache Hive", &["=Hive"]),
    e("Presto", &["=Presto"]),
    e("Trino", &[]),
    e("Dagster", &[]),
    e("Fivetran", &[]),
    e("Looker", &["=Looker"]),
    e("Tableau", &[]),
    e("Power BI", &["PowerBI"]),
    e("Microsoft Excel", &["=Excel", "MS Excel"]),
    e("ETL", &["=ETL", "ELT", "ETL pipelines"]),
    e("Data Warehousing", &["data warehouse", "data warehouses"]),
    e("Data Modeling", &["data modelling"]),
    e("Delta Lake", &[]),
    e("Data Engineering", &["data pipelines", "data pipeline"]),
    // Data science and machine learning.
    e("Machine Learning", &["=ML", "machine-learning"]),
    e("Deep Learning", &["deep neural networks"]),
    e("Artificial Intelligence", &["=AI"]),
    e("NLP", &["natural language processing"]),
    e("Computer Vision", &[]),
    e(
        "LLMs",
        &["LLM", "large language models", "large language model"],
    ),
    e("Generative AI", &["GenAI", "Gen AI"]),
    e("RAG", &["=RAG", "retrieval-augmented generation"]),
    e("Prompt Engineering", &[]),
    e("TensorFlow", &[]),
    e("PyTorch", &[]),
    e("Keras", &[]),
    e("scikit-learn", &["sklearn", "scikit learn", "scikit"]),
    e("pandas", &[]),
    e("NumPy", &[]),
    e("SciPy", &[]),
    e(
        "Jupyter",
        &["Jupyter Notebook", "Jupyter notebooks", "JupyterLab"],
    ),
    e("Matplotlib", &[]),
    e(
        "Hugging Face",
        &["HuggingFace", "Hugging Face Transformers"],
    ),
    e("LangChain", &[]),
    e("OpenCV", &[]),
    e("XGBoost", &[]),
    e("LightGBM", &[]),
    e("MLflow", &[]),
    e("Kubeflow", &[]),
    e("Amazon SageMaker", &["SageMaker"]),
    e("Vertex AI", &[]),
    e("Reinforcement Learning", &[]),
    e(
        "Statistics",
        &["statistical modeling", "statistical analysis"],
    ),
    e("Data Analysis", &["data analytics"]),
    e("Data Science", &[]),
    e("Data Visualization", &["data visualisation"]),
    e(
        "A/B Testing",
        &["A/B tests", "A/B test", "AB testing", "split testing"],
    ),
    e("MLOps", &[]),
    e("Polars", &["=Polars"]),
    e("Dask", &["=Dask"]),
    e("JAX", &["=JAX"]),
    e("CUDA", &[]),
    e("ONNX", &[]),
    e("SAS", &["=SAS"]),
    e("SPSS", &[]),
    e("Stata", &[]),
    // Testing.
    e("Unit Testing", &["unit tests", "unit test", "unit-testing"]),
    e(
        "Integration Testing",
        &["integration tests", "integration test"],
    ),
    e(
        "End-to-End Testing",
        &[
            "end-to-end tests",
            "E2E testing",
            "E2E tests",
            "end to end testing",
        ],
    ),
    e(
        "Test Automation",
        &[
            "automated testing",
            "automated tests",
            "test automation frameworks",
        ],
    ),
    e("Load Testing", &["performance testing", "load tests"]),
    e(
        "TDD",
        &["test-driven development", "test driven development"],
    ),
    e(
        "BDD",
        &[
            "behavior-driven development",
            "behaviour-driven development",
        ],
    ),
    e("Jest", &["=Jest"]),
    e("Mocha", &["=Mocha"]),
    e("Cypress", &["=Cypress"]),
    e("Playwright", &[]),
    e("Selenium", &["Selenium WebDriver"]),
    e("Puppeteer", &[]),
    e("Appium", &[]),
    e("pytest", &[]),
    e("JUnit", &[]),
    e("TestNG", &[]),
    e("RSpec", &[]),
    e("Mockito", &[]),
    e("Vitest", &[]),
    e("Cucumber", &["=Cucumber", "Gherkin"]),
    e("Postman", &["=Postman"]),
    e("JMeter", &["Apache JMeter"]),
    e("k6", &["=k6"]),
    e("Fuzzing", &["fuzz testing"]),
    e("QA", &["=QA", "quality assurance"]),
    // Engineering practices and architecture.
    e("Agile", &["Agile methodologies"]),
    e("Scrum", &[]),
    e("Kanban", &[]),
    e(
        "Microservices",
        &[
            "microservice",
            "micro-services",
            "microservice architecture",
        ],
    ),
    e(
        "Event-Driven Architecture",
        &["event-driven", "event driven"],
    ),
    e("Domain-Driven Design", &["DDD", "domain driven design"]),
    e(
        "Object-Oriented Programming",
        &["OOP", "object-oriented", "object oriented"],
    ),
    e("Functional Programming", &[]),
    e(
        "Distributed Systems",
        &["distributed system", "distributed computing"],
    ),
    e("System Design", &["systems design"]),
    e("Design Patterns", &[]),
    e("Data Structures", &[]),
    e("Algorithms", &[]),
    e("Concurrency", &["multithreading", "multi-threading"]),
    e("Code Review", &["code reviews", "code reviewing"]),
    e("Pair Programming", &[]),
    e("SOLID", &["=SOLID", "SOLID principles"]),
    e("API Design", &[]),
    e(
        "Performance Optimization",
        &["performance tuning", "performance optimisation"],
    ),
    e("Caching", &[]),
    e("Embedded Systems", &["embedded software", "embedded C"]),
    e("RTOS", &["FreeRTOS"]),
    e("Firmware", &[]),
    e("FPGA", &[]),
    e("Arduino", &[]),
    e("Raspberry Pi", &[]),
    e("ROS", &["=ROS", "Robot Operating System"]),
    e("Blockchain", &[]),
    e("Ethereum", &[]),
    // Security and identity.
    e("OAuth", &["OAuth2", "OAuth 2.0"]),
    e("OpenID Connect", &["OIDC"]),
    e("JWT", &["JSON Web Tokens"]),
    e("SAML", &[]),
    e("SSO", &["=SSO", "single sign-on"]),
    e("OWASP", &[]),
    e("Penetration Testing", &["pentesting", "pen testing"]),
    e("Threat Modeling", &["threat modelling"]),
    e("Cryptography", &[]),
    e("TLS", &["=TLS", "SSL/TLS"]),
    e("SIEM", &[]),
    // Graphics, games and enterprise platforms.
    e("Unity", &["=Unity", "Unity3D"]),
    e("Unreal Engine", &["=Unreal", "UE5"]),
    e("OpenGL", &[]),
    e("Vulkan", &[]),
    e("DirectX", &[]),
    e("Salesforce", &[]),
    e("SAP", &["=SAP"]),
    e("ServiceNow", &[]),
    e("Jira", &["JIRA"]),
    e("Confluence", &["=Confluence"]),
    e("SEO", &["search engine optimization"]),
    // Design.
    e("Figma", &[]),
    e("Sketch", &["=Sketch"]),
    e("Adobe XD", &[]),
    e("Adobe Photoshop", &["Photoshop"]),
    e("Adobe Illustrator", &["=Illustrator"]),
    e("Adobe After Effects", &["After Effects"]),
    e("InVision", &["=InVision"]),
    e("Zeplin", &[]),
    e("Framer", &["=Framer"]),
    e("Miro", &["=Miro"]),
    e("UX Design", &["user experience design", "UX"]),
    e("UI Design", &["user interface design"]),
    e("User Research", &["UX research"]),
    e("Usability Testing", &[]),
    e("Wireframing", &["wireframes"]),
    e("Prototyping", &[]),
    e("Design Systems", &["design system"]),
];

/// A compiled pattern: its text (lowercased unless exact) and its entry.
struct Pattern {
    text: String,
    exact: bool,
    entry: usize,
}

struct Compiled {
    patterns: Vec<Pattern>,
    /// Every spelling, lowercased, for whole-term lookups.
    by_term: HashMap<String, usize>,
}

fn compiled() -> &'static Compiled {
    static COMPILED: OnceLock<Compiled> = OnceLock::new();
    COMPILED.get_or_init(|| {
        let mut patterns = Vec::new();
        let mut by_term = HashMap::new();
        for (i, entry) in ENTRIES.iter().enumerate() {
            let exact_name = entry
                .aliases
                .iter()
                .any(|a| a.strip_prefix('=') == Some(entry.name));
            if !exact_name {
                patterns.push(Pattern {
                    text: entry.name.to_ascii_lowercase(),
                    exact: false,
                    entry: i,
                });
            }
            by_term.entry(entry.name.to_ascii_lowercase()).or_insert(i);
            for alias in entry.aliases {
                let (text, exact) = match alias.strip_prefix('=') {
                    Some(rest) => (rest.to_string(), true),
                    None => (alias.to_ascii_lowercase(), false),
                };
                by_term.entry(text.to_ascii_lowercase()).or_insert(i);
                patterns.push(Pattern {
                    text,
                    exact,
                    entry: i,
                });
            }
        }
        Compiled { patterns, by_term }
    })
}

/// Number of canonical skills in the vocabulary.
pub fn len() -> usize {
    ENTRIES.len()
}

/// The canonical name of a skill written as a whole term (a resume's skill
/// name or keyword, a job's listed skill), or `None` when the vocabulary
/// does not know it. Case never matters here because the term is known to
/// name a skill: `"go"`, `"k8s"`, `"postgres"` all resolve.
pub fn canonical(term: &str) -> Option<&'static str> {
    let norm = normalize_space(term);
    let trimmed = norm
        .trim()
        .trim_end_matches(['.', ',', ';', ':', '!'])
        .trim();
    if trimmed.is_empty() {
        return None;
    }
    let key = trimmed.to_ascii_lowercase();
    compiled().by_term.get(&key).map(|&i| ENTRIES[i].name)
}

/// Every vocabulary skill named in `text`, canonical names in order of
/// first mention, each once.
pub fn find_all(text: &str) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for hit in scan(text) {
        if !out.contains(&hit.name) {
            out.push(hit.name);
        }
    }
    out
}

/// The skills a whole term stands for: its canonical name when it is one,
/// otherwise whatever the prose matcher finds in it ("AWS (Lambda, S3)").
pub(crate) fn term_skills(term: &str) -> Vec<&'static str> {
    match canonical(term) {
        Some(name) => vec![name],
        None => find_all(term),
    }
}

/// One occurrence of a vocabulary skill, with byte offsets into the
/// whitespace-normalised text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Hit {
    pub name: &'static str,
    pub start: usize,
}

/// Every occurrence of a vocabulary skill in `text`, in text order.
pub(crate) fn scan(text: &str) -> Vec<Hit> {
    let (text, breaks) = normalize(text);
    let lower = text.to_ascii_lowercase();
    // (start, end, entry) of every acceptable match, overlaps included.
    let mut found: Vec<(usize, usize, usize)> = Vec::new();
    for p in &compiled().patterns {
        let hay = if p.exact { &text } else { &lower };
        for (start, m) in hay.match_indices(p.text.as_str()) {
            let end = start + m.len();
            if on_boundaries(&text, start, end)
                && guard(ENTRIES[p.entry].name, &text, &breaks, start, end)
            {
                found.push((start, end, p.entry));
            }
        }
    }
    found.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
    let mut hits = Vec::new();
    let mut covered = 0;
    for (start, end, entry) in found {
        if start < covered {
            continue;
        }
        covered = end;
        hits.push(Hit {
            name: ENTRIES[entry].name,
            start,
        });
    }
    hits
}

/// Whether `term` occurs in `text` as a whole token run, ignoring case.
/// Used for a job's listed skills that the vocabulary does not know.
pub(crate) fn contains_term(text: &str, term: &str) -> bool {
    let term = normalize_space(term);
    let term = term.trim();
    if term.is_empty() {
        return false;
    }
    let text = normalize_space(text);
    let lower = text.to_ascii_lowercase();
    let needle = term.to_ascii_lowercase();
    lower
        .match_indices(needle.as_str())
        .any(|(start, m)| on_boundaries(&text, start, start + m.len()))
}

/// Collapse every run of whitespace into one space, and unify the
/// typographic apostrophe, so patterns need only one spelling.
pub(crate) fn normalize_space(text: &str) -> String {
    normalize(text).0
}

/// [`normalize_space`], also returning the offsets of the spaces that stand
/// for a line break, since a line start is also a sentence start.
fn normalize(text: &str) -> (String, Vec<usize>) {
    let mut out = String::with_capacity(text.len());
    let mut breaks = Vec::new();
    let mut in_space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            if !in_space {
                out.push(' ');
            }
            if c == '\n' && breaks.last() != Some(&(out.len() - 1)) {
                breaks.push(out.len() - 1);
            }
            in_space = true;
        } else {
            in_space = false;
            out.push(if c == '\u{2019}' { '\'' } else { c });
        }
    }
    (out, breaks)
}

/// Whether a match at `start` begins a sentence, line or list item.
fn starts_sentence(text: &str, breaks: &[usize], start: usize) -> bool {
    let before = text.get(..start).unwrap_or("");
    let trimmed = before.trim_end_matches(' ');
    if trimmed.is_empty() {
        return true;
    }
    if trimmed.len() < before.len() && breaks.binary_search(&trimmed.len()).is_ok() {
        return true;
    }
    trimmed.ends_with([
        '.', '!', '?', ':', ';', '-', '*', '•', '·', '–', '—', '(', '"', '|',
    ])
}

fn char_before(text: &str, at: usize) -> Option<char> {
    text.get(..at)?.chars().next_back()
}

fn char_after(text: &str, at: usize) -> Option<char> {
    text.get(at..)?.chars().next()
}

fn on_boundaries(text: &str, start: usize, end: usize) -> bool {
    let first = char_after(text, start);
    let last = char_before(text, end);
    if let Some(b) = char_before(text, start) {
        // A pattern that starts with punctuation (".NET") only needs the
        // word before it to end; one that starts with a letter must not
        // continue a word, a file extension or a hyphenated name.
        let word_start = first.is_some_and(|c| c.is_alphanumeric());
        if b.is_alphanumeric() || b == '_' || (word_start && (b == '.' || b == '-')) {
            return false;
        }
    }
    if let Some(a) = char_after(text, end) {
        if a.is_alphanumeric() || a == '_' {
            return false;
        }
        // "C" must not match the start of "C++" / "C#"; a pattern ending in
        // "+" or "#" already consumed its punctuation.
        if (a == '+' || a == '#') && last.is_some_and(|c| c.is_alphanumeric()) {
            return false;
        }
        if a == '.' && char_after(text, end + 1).is_some_and(|c| c.is_alphanumeric()) {
            return false;
        }
    }
    true
}

/// Extra rules for names that are also ordinary words or letters.
fn guard(name: &str, text: &str, breaks: &[usize], start: usize, end: usize) -> bool {
    match name {
        "Go" if end - start == 2 => {
            go_is_the_language(text, start, end, starts_sentence(text, breaks, start))
        }
        "C" | "R" if end - start == 1 => single_letter_is_language(text, start, end),
        "TypeScript" if end - start == 2 => !text.get(end..).unwrap_or("").starts_with("/SCI"),
        "Spring" if end - start == 6 => spring_is_the_framework(text, start, end),
        _ => true,
    }
}

fn next_word(text: &str, end: usize) -> String {
    let rest = text.get(end..).unwrap_or("");
    let rest = rest.strip_prefix(' ').unwrap_or("");
    rest.chars()
        .take_while(|c| c.is_alphanumeric())
        .collect::<String>()
        .to_lowercase()
}

fn previous_word(text: &str, start: usize) -> String {
    let before = text.get(..start).unwrap_or("");
    let before = before.strip_suffix(' ').unwrap_or("");
    let word: String = before
        .chars()
        .rev()
        .take_while(|c| c.is_alphanumeric())
        .collect();
    word.chars().rev().collect::<String>().to_lowercase()
}

/// "Go" the language, not "Go to market", "Go-to", "Go beyond". Verb
/// readings need a sentence start ("We use Go to build" is the language);
/// a few idioms are refused anywhere.
fn go_is_the_language(text: &str, start: usize, end: usize, sentence_start: bool) -> bool {
    const IDIOMS: &[&str] = &["live", "green", "viral", "public", "ahead", "beyond"];
    const VERB_USES: &[&str] = &[
        "to", "above", "further", "back", "out", "through", "get", "into", "the", "a", "an",
        "deep", "far", "big", "fast", "faster", "after", "over", "up", "down", "home", "forward",
        "make", "find", "see",
    ];
    if matches!(char_after(text, end), Some('-' | '!' | '&')) {
        return false;
    }
    if previous_word(text, start) == "pokémon" {
        return false;
    }
    let next = next_word(text, end);
    if IDIOMS.contains(&next.as_str()) {
        return false;
    }
    !(sentence_start && VERB_USES.contains(&next.as_str()))
}

/// "C" and "R" the languages, not "R&D", "C-level", "Series C", "Vitamin C",
/// "(C)", nor the middle initial in "John R. Smith".
fn single_letter_is_language(text: &str, start: usize, end: usize) -> bool {
    const LABELS: &[&str] = &[
        "series",
        "vitamin",
        "plan",
        "grade",
        "type",
        "class",
        "level",
        "tier",
        "option",
        "section",
        "appendix",
        "part",
        "exhibit",
        "building",
        "room",
        "floor",
        "schedule",
        "form",
        "model",
        "step",
        "phase",
        "round",
        "category",
        "group",
        "block",
        "wing",
        "row",
        "column",
        "item",
        "unit",
        "note",
        "figure",
        "table",
        "version",
        "size",
        "hepatitis",
        "team",
        "plus",
        "minus",
        "letter",
        "drive",
    ];
    const FOLLOWERS: &[&str] = &[
        "level",
        "suite",
        "corp",
        "corporation",
        "grade",
        "rating",
        "rated",
        "section",
        "class",
        "drive",
    ];
    let before = char_before(text, start);
    let after = char_after(text, end);
    if before == Some('&') || matches!(after, Some('&' | '-' | ':' | '\'')) {
        return false;
    }
    if before == Some('(') && after == Some(')') {
        return false;
    }
    if after == Some('.') {
        // A middle initial sits between two capitalised words; a sentence
        // ending in the language ("Python or R.") does not.
        let prev_is_name = text
            .get(..start)
            .unwrap_or("")
            .trim_end()
            .rsplit(' ')
            .next()
            .and_then(|w| w.chars().next())
            .is_some_and(|c| c.is_uppercase());
        let next_capital = text
            .get(end + 1..)
            .unwrap_or("")
            .strip_prefix(' ')
            .and_then(|r| r.chars().next())
            .is_some_and(|c| c.is_uppercase());
        if prev_is_name && next_capital {
            return false;
        }
    }
    if LABELS.contains(&previous_word(text, start).as_str()) {
        return false;
    }
    !FOLLOWERS.contains(&next_word(text, end).as_str())
}

/// "Spring" the framework, not the season ("Spring 2020", "spring semester").
fn spring_is_the_framework(text: &str, start: usize, end: usize) -> bool {
    const SEASON_FOLLOWERS: &[&str] = &[
        "semester",
        "term",
        "break",
        "season",
        "quarter",
        "festival",
        "fair",
        "sale",
        "cleaning",
        "intern",
        "internship",
        "cohort",
        "of",
    ];
    const SEASON_LEADERS: &[&str] = &["this", "next", "last", "early", "late"];
    let next = next_word(text, end);
    if next.chars().next().is_some_and(|c| c.is_ascii_digit())
        || SEASON_FOLLOWERS.contains(&next.as_str())
    {
        return false;
    }
    !SEASON_LEADERS.contains(&previous_word(text, start).as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vocabulary_is_large_and_unambiguous() {
        assert!(len() >= 250, "only {} entries", len());
        let mut seen: HashMap<String, &str> = HashMap::new();
        for entry in ENTRIES {
            let mut spellings = vec![entry.name.to_ascii_lowercase()];
            spellings.extend(
                entry
                    .aliases
                    .iter()
                    .map(|a| a.trim_start_matches('=').to_ascii_lowercase()),
            );
            spellings.sort();
            spellings.dedup();
            for s in spellings {
                if let Some(other) = seen.insert(s.clone(), entry.name) {
                    panic!("{s:?} belongs to both {other} and {}", entry.name);
                }
            }
        }
        for entry in ENTRIES {
            assert_eq!(canonical(entry.name), Some(entry.name));
        }
    }

    #[test]
    fn aliases_resolve_to_canonical_names() {
        for (alias, name) in [
            ("JS", "JavaScript"),
            ("ts", "TypeScript"),
            ("k8s", "Kubernetes"),
            ("Postgres", "PostgreSQL"),
            ("golang", "Go"),
            ("go", "Go"),
            ("NodeJS", "Node.js"),
            ("node", "Node.js"),
            ("React.js", "React"),
            ("Amazon Web Services", "AWS"),
            ("GCP", "Google Cloud"),
            ("c++", "C++"),
            ("c#", "C#"),
            (".net", ".NET"),
            ("ci/cd", "CI/CD"),
            ("ML", "Machine Learning"),
            ("machine learning", "Machine Learning"),
            ("  Kubernetes. ", "Kubernetes"),
        ] {
            assert_eq!(canonical(alias), Some(name), "{alias}");
        }
        assert_eq!(canonical("Underwater basket weaving"), None);
        assert_eq!(canonical(""), None);
    }

    #[test]
    fn finds_punctuated_names() {
        let text = "We use C++, C# and .NET on the backend, Node.js and React.js up front, \
                    plus CI/CD with GitHub Actions and some C/C++ interop. F# is a bonus.";
        assert_eq!(
            find_all(text),
            vec![
                "C++",
                "C#",
                ".NET",
                "Node.js",
                "React",
                "CI/CD",
                "GitHub Actions",
                "C",
                "F#"
            ]
        );
        assert_eq!(find_all("ASP.NET Core services"), vec!["ASP.NET"]);
        assert_eq!(
            find_all("Objective-C and Swift"),
            vec!["Objective-C", "Swift"]
        );
    }

    #[test]
    fn no_false_hits_for_short_names() {
        for prose in [
            "Help us go to market faster.",
            "Go to market strategy and R&D budget.",
            "Our go-to tools are simple.",
            "Report to the C-level and the C-suite.",
            "We raised a Series C last year.",
            "Vitamin C is good for you.",
            "Led R&D for the P&L.",
            "Contact John R. Smith for details.",
            "Go beyond the basics.",
            "We react quickly to incidents and rest on weekends.",
            "Take the helm of a swift team and express yourself.",
            "Files like index.js and main.go are fine.",
            "ClearanceTS/SCI required.",
            "Must hold a TS/SCI clearance.",
        ] {
            assert!(
                find_all(prose).is_empty(),
                "{prose:?} → {:?}",
                find_all(prose)
            );
        }
    }

    #[test]
    fn go_as_a_verb_only_at_a_sentence_start() {
        assert_eq!(find_all("We use Go to build services."), vec!["Go"]);
        assert_eq!(find_all("Services in Go and Rust"), vec!["Go", "Rust"]);
        assert!(find_all("Go to market with us.").is_empty());
        assert!(find_all("Launch.\nGo to it").is_empty());
        assert!(find_all("Ship it. Go see").is_empty());
        assert_eq!(
            find_all("- Go and Kubernetes experience"),
            vec!["Go", "Kubernetes"]
        );
        assert!(find_all("- Go further with us").is_empty());
        assert!(find_all("Help the team Go live").is_empty());
        assert_eq!(find_all("Go Developer"), vec!["Go"]);
        assert_eq!(find_all("- Go, Rust"), vec!["Go", "Rust"]);
    }

    #[test]
    fn spring_the_framework() {
        assert_eq!(
            find_all("experience in Spring and Hibernate"),
            vec!["Spring", "Hibernate"]
        );
        assert!(find_all("Spring 2020 intern; this Spring we ship").is_empty());
        assert_eq!(find_all("Spring Boot services"), vec!["Spring Boot"]);
    }

    #[test]
    fn short_names_still_match_when_meant() {
        assert_eq!(find_all("Backend in Go and Rust"), vec!["Go", "Rust"]);
        assert_eq!(
            find_all("Statistics with Python or R."),
            vec!["Statistics", "Python", "R"]
        );
        assert_eq!(find_all("Systems programming in C."), vec!["C"]);
        assert_eq!(
            find_all("Golang microservices"),
            vec!["Go", "Microservices"]
        );
        assert_eq!(find_all("C programming"), vec!["C"]);
        assert_eq!(find_all("R, Python, SQL"), vec!["R", "Python", "SQL"]);
    }

    #[test]
    fn case_insensitive_with_boundaries() {
        assert_eq!(
            find_all("KUBERNETES, postgresql and Terraform"),
            vec!["Kubernetes", "PostgreSQL", "Terraform"]
        );
        // Longest match wins; no "Java" inside "JavaScript".
        assert_eq!(find_all("javascript"), vec!["JavaScript"]);
        assert_eq!(find_all("Google Cloud Platform"), vec!["Google Cloud"]);
        assert_eq!(find_all("PostgreSQL, not MySQLish"), vec!["PostgreSQL"]);
        assert_eq!(find_all("T-SQL and PL/SQL"), vec!["T-SQL", "PL/SQL"]);
        // Broken over lines.
        assert_eq!(find_all("machine\n   learning"), vec!["Machine Learning"]);
    }

    #[test]
    fn literal_terms() {
        assert!(contains_term("Built a Kanban-ish board in Elm", "kanban"));
        assert!(!contains_term("Prolific writer", "Prolog"));
        assert!(contains_term("Knows Prolog well", "prolog"));
        assert!(!contains_term("anything", "  "));
    }
}
