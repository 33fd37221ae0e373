//! `patron policy show`: what a policy is — name, version, hash, grades, stages, parameters,
//! and with `--rules` the rules it cites from its handbooks.

use std::path::PathBuf;

use clap::Subcommand;

use crate::{load_engine, Failure, EXIT_INPUT};

/// Subcommands of `patron policy`.
#[derive(Subcommand)]
pub enum PolicyCommand {
    /// Print the policy's identity, vocabulary, limits and parameters.
    Show {
        /// Policy directory; the embedded default policy when absent.
        dir: Option<PathBuf>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
        /// List the policy's rules with the handbook clause each follows (built and left out).
        #[arg(long)]
        rules: bool,
    },
}

/// Runs `patron policy …`.
pub fn run(command: PolicyCommand) -> Result<u8, Failure> {
    match command {
        PolicyCommand::Show { dir, json, rules } => {
            let info = load_engine(dir.as_ref())?.policy_info();
            if rules {
                return show_rules(&info.rules, json);
            }
            if json {
                let text = serde_json::to_string_pretty(&info)
                    .map_err(|e| Failure::new(EXIT_INPUT, e.to_string()))?;
                println!("{text}");
                return Ok(0);
            }
            println!("name:        {}", info.stamp.name);
            println!("version:     {}", info.stamp.version);
            println!("hash:        {}", info.stamp.hash);
            println!("description: {}", info.description);
            println!("grades:      {}", info.grades.join(" > "));
            println!("stages:      {}", info.stages.join(" → "));
            if let Some(regions) = &info.regions {
                println!("regions:     {}", regions.join(", "));
            }
            println!("files:       {}", info.files.join(", "));
            for (i, tier) in info.tiers.iter().enumerate() {
                let label = if i == 0 { "execution:" } else { "" };
                println!("{label:<12} {tier}");
            }
            println!(
                "limits:      {}",
                serde_json::to_string(&info.limits).unwrap_or_default()
            );
            println!("parameters:");
            print_params("  params", &info.params);
            Ok(0)
        }
    }
}

/// `patron policy show --rules`: one block per rule, in file and line order.
fn show_rules(rules: &[patron::policy::Citation], json: bool) -> Result<u8, Failure> {
    if json {
        let text = serde_json::to_string_pretty(rules)
            .map_err(|e| Failure::new(EXIT_INPUT, e.to_string()))?;
        println!("{text}");
        return Ok(0);
    }
    if rules.is_empty() {
        println!(
            "the policy cites no rules (mark them with `// @rule <id> <handbook> \"<quote>\"`)"
        );
        return Ok(0);
    }
    for rule in rules {
        let status = match rule.status {
            patron::policy::CitationStatus::Implemented => rule.place(),
            patron::policy::CitationStatus::LeftOut => format!("left out ({})", rule.place()),
        };
        println!("{}  {status}", rule.id);
        println!("    {} \"{}\"", rule.handbook, rule.quote);
        if !rule.gloss.is_empty() {
            println!("    {}", rule.gloss);
        }
    }
    let left_out = rules
        .iter()
        .filter(|r| r.status == patron::policy::CitationStatus::LeftOut)
        .count();
    println!("{} rule(s), {left_out} left out", rules.len());
    Ok(0)
}

fn print_params(prefix: &str, value: &serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, value) in map {
                print_params(&format!("{prefix}.{key}"), value);
            }
        }
        other => println!("{prefix} = {other}"),
    }
}
