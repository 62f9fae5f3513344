# Reference values for the report's moderation section under full-information ML (issue #21): the report
# fits the latent interaction with the report's missing-data rule, FIML whenever a model variable has a
# missing answer. Listwise values are in tests/reference/thesis.R (moderation_*.csv).
# Run from the repository root:  Rscript tests/reference/report_moderation.R
# Data:
#   cem      tests/reference/psychometrics/cem_clean.csv (the bundled survey after ce.clean(); 481 missing answers)
#   bfi_na   tests/reference/thesis/bfi600_na.csv: the first 600 rows of psychTools::bfi's 25 items, incomplete
#            rows kept (written by this script on first run; psychTools 2.2.9), reverse-keyed as in thesis.R
# Writes tests/reference/thesis/moderation_fiml_{paths,fit,slopes,jn}.csv (R 4.x, lavaan 0.6.14, semTools 0.5.6)
suppressPackageStartupMessages({library(lavaan); library(semTools)})
out <- "tests/reference/thesis"
wr <- function(df, name) write.csv(df, file.path(out, name), row.names = FALSE)
if (!file.exists(file.path(out, "bfi600_na.csv"))) {
  write.csv(psychTools::bfi[1:600, 1:25], file.path(out, "bfi600_na.csv"), row.names = FALSE)
}
bfi <- read.csv(file.path(out, "bfi600_na.csv"))
bfi_rev <- c("A1", "C4", "C5", "E1", "E2", "O2", "O5")
bfi[bfi_rev] <- 7 - bfi[bfi_rev]
bfi_spec <- list(A = paste0("A", 1:5), C = paste0("C", 1:5), E = paste0("E", 1:5), N = paste0("N", 1:5),
                 O = paste0("O", 1:5))
cem <- read.csv("tests/reference/psychometrics/cem_clean.csv")
cem_spec <- lapply(jsonlite::fromJSON("tests/reference/psychometrics/cem_spec.json", simplifyVector = FALSE), unlist)

mod_syntax <- function(xi, zi, yi) {
  prods <- paste(xi, zi, sep = ".")
  paste(c(paste("X =~", paste(xi, collapse = " + ")), paste("Z =~", paste(zi, collapse = " + ")),
          paste("Y =~", paste(yi, collapse = " + ")), paste("XZ =~", paste(prods, collapse = " + ")),
          "Y ~ b1*X + b2*Z + b3*XZ"), collapse = "\n")
}
mods <- list(cem = list(cem, cem_spec, "functional", "humanic", "satisfaction"),
             bfi_na = list(bfi, bfi_spec, "C", "N", "O"))
mp <- list(); mf <- list(); ms <- list(); mj <- list()
for (d in names(mods)) {
  m <- mods[[d]]; sp <- m[[2]]; xi <- sp[[m[[3]]]]; zi <- sp[[m[[4]]]]; yi <- sp[[m[[5]]]]
  # matched pairs; indProd centres with the answered values (scale(), na.rm) and keeps missing products missing
  dat <- indProd(m[[1]], var1 = xi, var2 = zi, match = TRUE, meanC = TRUE, residualC = FALSE, doubleMC = TRUE)
  f <- sem(mod_syntax(xi, zi, yi), dat, missing = "fiml")
  pe <- parameterEstimates(f); st <- standardizedSolution(f)
  r <- pe[pe$op == "~", ]
  mp[[d]] <- data.frame(data = d, label = r$label, est = r$est, se = r$se, z = r$z, pvalue = r$pvalue,
                        ci_lower = r$ci.lower, ci_upper = r$ci.upper, std_all = st$est.std[st$op == "~"])
  mf[[d]] <- data.frame(data = d, as.list(fitMeasures(f, c("ntotal", "chisq", "df", "cfi", "tli", "rmsea", "srmr"))))
  sdz <- sqrt(pe$est[pe$lhs == "Z" & pe$op == "~~" & pe$rhs == "Z"])
  pr <- probe2WayMC(f, nameX = c("X", "Z", "XZ"), nameY = "Y", modVar = "Z", valProbe = c(-1, 0, 1) * sdz)
  ss <- pr$SimpleSlope
  ms[[d]] <- data.frame(data = d, sd = c(-1, 0, 1), moderator = ss[, 1], slope = ss$est, se = ss$se, z = ss$z,
                        p = ss$pvalue)
  V <- vcov(f)[c("b1", "b3"), c("b1", "b3")]; b <- coef(f)[c("b1", "b3")]; c2 <- qnorm(.975)^2
  a <- b[2]^2 - c2 * V[2, 2]; bb <- 2 * (b[1] * b[2] - c2 * V[1, 2]); c0 <- b[1]^2 - c2 * V[1, 1]
  disc <- bb^2 - 4 * a * c0
  roots <- if (disc >= 0) sort(c((-bb - sqrt(disc)) / (2 * a), (-bb + sqrt(disc)) / (2 * a))) else c(NA, NA)
  mj[[d]] <- data.frame(data = d, jn_lower = roots[1], jn_upper = roots[2], sd_z = sdz)
}
wr(do.call(rbind, mp), "moderation_fiml_paths.csv")
wr(do.call(rbind, mf), "moderation_fiml_fit.csv")
wr(do.call(rbind, ms), "moderation_fiml_slopes.csv")
wr(do.call(rbind, mj), "moderation_fiml_jn.csv")
