/*
 * approve.c - a C host of libmfa_approval: one approval against an MFA Server SDK
 * endpoint (the simulator in the tests), using only the committed header.
 *
 * usage: MFA_PASSWORD=... approve URI SHA256_PIN BASIC_USER USER_TO_APPROVE [REQUIRE]
 *        With REQUIRE (any, all or a number), USER_TO_APPROVE is a comma-separated list
 *        of approvers, decided by the engine (ABI 4).
 * exit:  0 approved, 1 not approved (any other final status), 2 usage or ABI errors
 *        (a refused request, e.g. the same person named twice, included).
 * Prints the status name and the outcome JSON.
 */
#include "mfa_approval.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void print_last_error(const char *what) {
    char msg[512];
    size_t len = 0;
    if (mfa_last_error((uint8_t *)msg, sizeof msg - 1, &len) != MFA_OK) len = 0;
    msg[len] = '\0';
    fprintf(stderr, "%s failed: %s\n", what, msg);
}

int main(int argc, char **argv) {
    if (argc != 5 && argc != 6) {
        fprintf(stderr, "usage: MFA_PASSWORD=... %s URI SHA256_PIN BASIC_USER USER[,USER...] [REQUIRE]\n", argv[0]);
        return 2;
    }
    /* Additive ABI versions: a host built for N runs with N or later. */
    if (mfa_abi_version() < MFA_ABI_VERSION) {
        fprintf(stderr, "ABI mismatch: library %u, header %u\n", mfa_abi_version(), MFA_ABI_VERSION);
        return 2;
    }
    const char *password = getenv("MFA_PASSWORD");
    if (password == NULL) password = "";

    char config[2048];
    int n = snprintf(config, sizeof config,
                     "{\"uri\":\"%s\",\"userName\":\"%s\",\"serverCertificateSha256\":[\"%s\"]}",
                     argv[1], argv[3], argv[2]);
    if (n < 0 || (size_t)n >= sizeof config) return 2;

    mfa_secret secret = {MFA_SECRET_BASIC_PASSWORD, (const uint8_t *)password, strlen(password)};
    mfa_client *client = NULL;
    if (mfa_client_new((const uint8_t *)config, (size_t)n, &secret, 1, &client) != MFA_OK) {
        print_last_error("mfa_client_new");
        return 2;
    }

    char request_json[2048];
    if (argc == 6) {
        /* {"approvers":["a","b"],"require":"all"}: each comma starts a new name. */
        char names[1024];
        size_t k = 0;
        for (const char *p = argv[4]; *p && k + 4 < sizeof names; p++) {
            if (*p == ',') {
                names[k++] = '"';
                names[k++] = ',';
                names[k++] = '"';
            } else {
                names[k++] = *p;
            }
        }
        names[k] = '\0';
        n = snprintf(request_json, sizeof request_json,
                     "{\"approvers\":[\"%s\"],\"require\":\"%s\",\"timeoutSeconds\":30}", names, argv[5]);
    } else {
        n = snprintf(request_json, sizeof request_json, "{\"userName\":\"%s\",\"timeoutSeconds\":30}", argv[4]);
    }
    mfa_request *request = NULL;
    if (n < 0 || (size_t)n >= sizeof request_json ||
        mfa_request_new(client, (const uint8_t *)request_json, (size_t)n, &request) != MFA_OK) {
        print_last_error("mfa_request_new");
        mfa_client_free(client);
        return 2;
    }
    if (mfa_request_start(request) != MFA_OK) {
        print_last_error("mfa_request_start");
        mfa_request_free(request);
        mfa_client_free(client);
        return 2;
    }

    uint32_t status = MFA_STATUS_PENDING;
    while (status == MFA_STATUS_PENDING) {
        if (mfa_request_poll(request, 250, &status) != MFA_OK) {
            print_last_error("mfa_request_poll");
            break;
        }
    }

    size_t len = 0;
    char *json = NULL;
    if (mfa_request_outcome(request, NULL, 0, &len) == MFA_BUFFER_TOO_SMALL && (json = malloc(len + 1)) != NULL &&
        mfa_request_outcome(request, (uint8_t *)json, len, &len) == MFA_OK) {
        json[len] = '\0';
    }
    static const char *names[] = {"Pending", "Approved", "Denied", "FraudReported", "TimedOut", "Failed", "Cancelled", "Completed"};
    printf("%s\n%s\n", status < 8 ? names[status] : "Unknown", json ? json : "(no outcome)");
    free(json);
    mfa_request_free(request);
    mfa_client_free(client);
    return status == MFA_STATUS_APPROVED ? 0 : 1;
}
